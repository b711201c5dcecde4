// The shapes of /api/map/* (docs/api.md), as the server declares them.
export type { FieldSuggestion, MapBlockWritten, MapSources, MapSuggestAnswer, SampledSide } from '@sluice/api';

/** What the user decided for each source column: a target column, or none. */
export type MappingDecisions = ReadonlyMap<string, string | null>;

/** Target columns chosen for more than one source column: the block cannot be written until one is dropped. */
export function doubledTargets(decisions: MappingDecisions): Set<string> {
  const seen = new Set<string>();
  const doubled = new Set<string>();
  for (const target of decisions.values()) {
    if (target === null) continue;
    if (seen.has(target)) doubled.add(target);
    seen.add(target);
  }
  return doubled;
}

/** `sales.raw_orders` -> `blocks/map_raw_orders.sql`; `data/crm export.csv` -> `blocks/map_crm_export.sql`. */
export function defaultBlockFile(source: string): string {
  const last = source.split(/[./]/).filter((p) => p && !/^(csv|tsv|txt|parquet|json|jsonl|ndjson|gz)$/i.test(p)).pop() ?? 'source';
  return `blocks/map_${last.replace(/[^A-Za-z0-9_]+/g, '_').replace(/^(\d)/, '_$1') || 'source'}.sql`;
}
