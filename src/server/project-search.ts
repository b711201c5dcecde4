import { listPipelines, loadPipeline } from '../core/pipeline/load-pipeline.ts';
import type { RunStore } from '../core/run-store/run-store.ts';
import { listConnections } from '../workspace/connections-file.ts';
import { fuzzyMatch } from './fuzzy-match.ts';

export type SearchKind = 'pipeline' | 'block' | 'run' | 'connection';

/** One thing the command palette can open. `at` marks the label's matched characters. */
export interface SearchHit {
  readonly kind: SearchKind;
  readonly label: string;
  readonly detail: string;
  /** The UI route that opens it, e.g. `/pipelines/shop?block=orders`. */
  readonly route: string;
  readonly at: readonly number[];
  readonly score: number;
}

export interface SearchOptions {
  readonly root: string;
  readonly stateDir: string;
  readonly store: RunStore;
  /** How many hits to answer with at most. */
  readonly limit: number;
  /** How many of the newest runs to look through: the store may hold many thousands. */
  readonly runsScanned: number;
}

/**
 * Searches pipelines, blocks (`pipeline › block`), recent runs (by id,
 * pipeline and status) and connections for the command palette, best first.
 * The work is bounded: only the newest `runsScanned` runs are read, plus an
 * exact run id typed in full.
 */
export async function searchProject(query: string, options: SearchOptions): Promise<SearchHit[]> {
  const hits: SearchHit[] = [];
  const consider = (kind: SearchKind, label: string, detail: string, route: string, extra = '') => {
    const found = fuzzyMatch(query, label) ?? (extra ? fuzzyMatch(query, `${label} ${extra}`) : undefined);
    // A match only in the extra words (a status, a connector type) ranks below a match in the name.
    if (found) hits.push({ kind, label, detail, route, at: found.at.filter((i) => i < label.length), score: found.at.some((i) => i >= label.length) ? found.score - 500 : found.score });
  };

  for (const name of listPipelines(options.root)) {
    let blocks: readonly { name: string; type: string }[] = [];
    let description = '';
    try {
      const pipeline = loadPipeline(options.root, name);
      blocks = pipeline.blocks.map((b) => ({ name: b.name, type: b.role }));
      description = pipeline.description ?? '';
    } catch {
      // A pipeline that does not load is still found by name, so it can be opened and fixed.
    }
    consider('pipeline', name, description || `${blocks.length} blocks`, `/pipelines/${encodeURIComponent(name)}`);
    for (const block of blocks) consider('block', `${name} › ${block.name}`, block.type, `/pipelines/${encodeURIComponent(name)}?block=${encodeURIComponent(block.name)}`);
  }

  const runs = await options.store.listRuns({ limit: options.runsScanned });
  const typedId = query.trim();
  if (typedId && !runs.some((r) => r.id === typedId)) {
    const exact = await options.store.getRun(typedId);
    if (exact) runs.push(exact);
  }
  for (const run of runs) consider('run', run.id, `${run.pipeline} · ${run.status} · ${run.startedAt.slice(0, 16).replace('T', ' ')}`, `/runs/${encodeURIComponent(run.id)}`, `${run.pipeline} ${run.status}`);

  for (const connection of listConnections(options.root, options.stateDir)) consider('connection', connection.name, connection.type, '/connections', connection.type);

  // Without a query: what is there, newest runs first, in the order found.
  if (!typedId) return interleave(hits, options.limit);
  return hits.sort((a, b) => b.score - a.score).slice(0, options.limit);
}

/** A few of each kind, so an empty query shows pipelines, runs and connections alike. */
function interleave(hits: readonly SearchHit[], limit: number): SearchHit[] {
  const each = Math.max(1, Math.floor(limit / 4));
  const kinds: readonly SearchKind[] = ['pipeline', 'run', 'block', 'connection'];
  return kinds.flatMap((kind) => hits.filter((h) => h.kind === kind).slice(0, each)).slice(0, limit);
}
