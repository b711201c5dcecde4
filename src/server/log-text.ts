import { z } from 'zod';
import type { LogLevel, LogRecord } from '../core/run-store/run-store.ts';

/** Levels from the least to the most severe: a level filter keeps its level and the ones after it. */
const severity: readonly LogLevel[] = ['debug', 'info', 'warn', 'error'];

/** `block` and `level` of a logs request; `level` is the least severe level kept. */
export const logQuery = z.object({
  block: z.string().min(1).optional(),
  level: z.enum(severity as [LogLevel, ...LogLevel[]]).optional(),
});

export function atLeast(lines: readonly LogRecord[], level: LogLevel | undefined): LogRecord[] {
  if (!level) return [...lines];
  const floor = severity.indexOf(level);
  return lines.filter((l) => severity.indexOf(l.level) >= floor);
}

/** Log lines as a text file: time, level, block and message, one line each. */
export function logText(lines: readonly LogRecord[]): string {
  return lines.map((l) => `${l.at} ${l.level.toUpperCase().padEnd(5)} ${l.block ? `[${l.block}] ` : ''}${l.message}\n`).join('');
}
