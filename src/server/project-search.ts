import { listPipelines, loadPipeline } from '../core/pipeline/load-pipeline.ts';
import type { RunRecord, RunHistory } from '../core/run-store/run-store.ts';
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

/** Something searchable: its label, and words that also find it (a run's pipeline and status). */
interface Entry {
  readonly kind: SearchKind;
  readonly label: string;
  readonly detail: string;
  readonly route: string;
  readonly extra: string;
}

export interface ProjectSearchOptions {
  readonly root: string;
  readonly stateDir: string;
  readonly store: RunHistory;
  /** How many of the newest runs to look through: the store may hold many thousands. */
  readonly runsScanned: number;
  /** How long one reading of the project and the runs serves the keystrokes that follow. */
  readonly maxAgeMs: number;
}

/**
 * Searches pipelines, blocks (`pipeline › block`), recent runs (by id,
 * pipeline and status) and connections for the command palette, best first.
 * The work is bounded: the project and the newest `runsScanned` runs are
 * read at most once per `maxAgeMs` while the user types, plus an exact run
 * id typed in full, looked up on its own.
 */
export function createProjectSearch(options: ProjectSearchOptions): (query: string, limit: number) => Promise<SearchHit[]> {
  let cached: { at: number; entries: Promise<Entry[]> } | undefined;
  const entries = () => {
    if (!cached || Date.now() - cached.at > options.maxAgeMs) cached = { at: Date.now(), entries: readEntries(options) };
    const reading = cached.entries;
    // A failed reading is not kept: the next keystroke tries again.
    reading.catch(() => (cached = undefined));
    return reading;
  };
  return async (query, limit) => {
    const read = await entries();
    const typedId = query.trim();
    if (typedId && !/\s/.test(typedId) && !read.some((e) => e.kind === 'run' && e.label === typedId)) {
      const exact = await options.store.getRun(typedId);
      if (exact) return rank([...read, runEntry(exact)], query, limit);
    }
    return rank(read, query, limit);
  };
}

async function readEntries(options: ProjectSearchOptions): Promise<Entry[]> {
  const entries: Entry[] = [];
  for (const name of listPipelines(options.root)) {
    let blocks: readonly { name: string; role: string }[] = [];
    let description = '';
    try {
      const pipeline = loadPipeline(options.root, name);
      blocks = pipeline.blocks.map((b) => ({ name: b.name, role: b.role }));
      description = pipeline.description ?? '';
    } catch {
      // A pipeline that does not load is still found by name, so it can be opened and fixed.
    }
    const route = `/pipelines/${encodeURIComponent(name)}`;
    entries.push({ kind: 'pipeline', label: name, detail: description || `${blocks.length} blocks`, route, extra: '' });
    for (const block of blocks) entries.push({ kind: 'block', label: `${name} › ${block.name}`, detail: block.role, route: `${route}?block=${encodeURIComponent(block.name)}`, extra: '' });
  }
  for (const run of await options.store.listRuns({ limit: options.runsScanned })) entries.push(runEntry(run));
  for (const connection of listConnections(options.root, options.stateDir)) entries.push({ kind: 'connection', label: connection.name, detail: connection.connector, route: '/connections', extra: connection.connector });
  return entries;
}

function runEntry(run: RunRecord): Entry {
  return { kind: 'run', label: run.id, detail: `${run.pipeline} · ${run.status} · ${run.startedAt.slice(0, 16).replace('T', ' ')}`, route: `/runs/${encodeURIComponent(run.id)}`, extra: `${run.pipeline} ${run.status}` };
}

function rank(entries: readonly Entry[], query: string, limit: number): SearchHit[] {
  // Without a query: what is there, a few of each kind, newest runs first.
  if (!query.trim()) {
    const each = Math.max(1, Math.floor(limit / 4));
    const kinds: readonly SearchKind[] = ['pipeline', 'run', 'block', 'connection'];
    return kinds.flatMap((kind) => entries.filter((e) => e.kind === kind).slice(0, each).map((e) => hit(e, 0, []))).slice(0, limit);
  }
  const hits: SearchHit[] = [];
  for (const entry of entries) {
    const inLabel = fuzzyMatch(query, entry.label);
    if (inLabel) {
      hits.push(hit(entry, inLabel.score, inLabel.at));
      continue;
    }
    const inExtra = entry.extra ? fuzzyMatch(query, `${entry.label} ${entry.extra}`) : undefined;
    // A match that needs the extra words (a status, a connector type) ranks below a match in the name.
    if (inExtra) hits.push(hit(entry, inExtra.score - 500, inExtra.at.filter((i) => i < entry.label.length)));
  }
  // Sorting is stable: among equals the order read stays, so newer runs come first.
  return hits.sort((a, b) => b.score - a.score).slice(0, limit);
}

function hit(entry: Entry, score: number, at: readonly number[]): SearchHit {
  return { kind: entry.kind, label: entry.label, detail: entry.detail, route: entry.route, at, score };
}
