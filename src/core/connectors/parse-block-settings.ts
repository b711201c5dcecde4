import type { z } from 'zod';
import { ConfigError } from '../errors.ts';

/** Where a block's settings were written, for the error that points at them. */
export interface BlockSettingsLocation {
  readonly file: string;
  readonly line?: number | undefined;
  readonly block: string;
}

/**
 * A connector block's settings parsed by the connector's read or write
 * schema; the first problem becomes a configuration error at the line of the
 * setting it concerns. `sluice run` and `sluice validate` both parse here, so
 * they report the same words at the same line.
 */
export function parseBlockSettings<T>(schema: z.ZodType<T>, settings: unknown, kind: string, where: BlockSettingsLocation, settingLines?: Readonly<Record<string, number>>): T {
  const result = schema.safeParse(settings);
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  const key = issue.path.map(String).join('.');
  const line = settingLines?.[String(issue.path[0])] ?? where.line;
  throw new ConfigError('block.bad_settings', `${kind} settings${key ? ` '${key}'` : ''}: ${issue.message}`, { location: { ...where, line } });
}
