import { ConnectorError } from '../errors.ts';

/**
 * The error for a captured table whose columns differ from the ones its
 * destination table was made with, or undefined when they are the same.
 * `reset` names the command that starts the pipeline over from a snapshot.
 */
export function sourceColumnsChanged(table: string, before: readonly string[], now: readonly string[], reset: string): ConnectorError | undefined {
  const added = now.filter((c) => !before.includes(c));
  const dropped = before.filter((c) => !now.includes(c));
  if (!added.length && !dropped.length) return undefined;
  const what = [added.length ? `gained ${added.join(', ')}` : '', dropped.length ? `lost ${dropped.join(', ')}` : ''].filter(Boolean).join(' and ');
  return new ConnectorError('cdc.schema_changed', `table ${table} ${what} at the source; CDC does not change destination tables yet: ${reset} to start over from a new snapshot`);
}
