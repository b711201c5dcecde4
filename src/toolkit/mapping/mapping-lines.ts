import { ConfigError } from '../../core/errors.ts';
import type { AcceptedMapping } from './mapping-sql.ts';

/** A source column accepted for a target column. */
export interface AcceptedPair {
  readonly source: string;
  readonly target: string;
  readonly note?: string | undefined;
}

/**
 * The lines of a mapping block in the target's column order: each target
 * column takes its accepted source column, or NULL when none was accepted.
 * A name neither side has, or a target given two sources, is refused.
 */
export function mappingLines(pairs: readonly AcceptedPair[], sourceColumns: readonly string[], targetColumns: readonly string[]): AcceptedMapping[] {
  const byTarget = new Map<string, AcceptedPair>();
  for (const pair of pairs) {
    if (!sourceColumns.includes(pair.source)) throw new ConfigError('map.unknown_column', `the source has no column '${pair.source}' (columns: ${sourceColumns.join(', ')})`);
    if (!targetColumns.includes(pair.target)) throw new ConfigError('map.unknown_column', `the target has no column '${pair.target}' (columns: ${targetColumns.join(', ')})`);
    const before = byTarget.get(pair.target);
    if (before) throw new ConfigError('map.two_sources', `target column '${pair.target}' is given two source columns, '${before.source}' and '${pair.source}'; accept one`);
    byTarget.set(pair.target, pair);
  }
  if (!byTarget.size) throw new ConfigError('map.nothing_accepted', 'no column mapping is accepted, so there is no block to write');
  return targetColumns.map((target) => {
    const pair = byTarget.get(target);
    return pair ? { target, source: pair.source, note: pair.note } : { target, source: null };
  });
}
