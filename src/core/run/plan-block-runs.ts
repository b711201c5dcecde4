import type { DagNode } from '../pipeline/dag.ts';

/** How a block run of the plan ended, as far as its downstream blocks care. */
export type PlannedEnd = 'succeeded' | 'failed' | 'cancelled';

/**
 * Decides which block runs of a run may start: every block whose upstreams in
 * the run have all succeeded, up to the run's concurrency. Upstreams outside
 * the run (read from earlier runs' outputs) count as done. It only decides;
 * the run loop starts the blocks and reports back how each ended.
 */
export interface BlockRunPlan<Block extends PlannedNode = PlannedNode> {
  /** Blocks to start now, in pipeline order, at most enough to fill the free slots; they count as running. */
  start(): Block[];
  /** Records how a started block ended; returns the blocks that can no longer run because of it (to mark skipped). */
  finish(name: string, end: PlannedEnd): Block[];
  /** Withdraws every block not yet started (the run was cancelled); returns them. */
  withdrawPending(): Block[];
  /** Block runs started and not yet finished. */
  readonly running: number;
  /** Nothing is running and nothing more can start. */
  readonly done: boolean;
}

type State = 'pending' | 'running' | 'ended';

/** A block as the plan sees it: its upstreams, and blocks it waits for without reading them (`after`). */
export type PlannedNode = DagNode & { readonly after?: readonly string[] | undefined };

/** A plan over `blocks` (in pipeline order, every upstream first) with at most `concurrency` running at once. */
export function planBlockRuns<Block extends PlannedNode>(blocks: readonly Block[], concurrency: number): BlockRunPlan<Block> {
  if (!Number.isInteger(concurrency) || concurrency < 1) throw new RangeError(`concurrency must be a whole number of at least 1; got ${concurrency}`);
  const inRun = new Set(blocks.map((b) => b.name));
  const state = new Map<string, State>(blocks.map((b) => [b.name, 'pending']));
  const succeeded = new Set<string>();
  let running = 0;

  const waitsFor = (block: Block): readonly string[] => (block.after?.length ? [...block.upstream, ...block.after] : block.upstream);
  const ready = (block: Block): boolean => waitsFor(block).every((up) => !inRun.has(up) || succeeded.has(up));

  return {
    start() {
      const started: Block[] = [];
      for (const block of blocks) {
        if (running >= concurrency) break;
        if (state.get(block.name) !== 'pending' || !ready(block)) continue;
        state.set(block.name, 'running');
        running++;
        started.push(block);
      }
      return started;
    },
    finish(name, end) {
      if (state.get(name) !== 'running') throw new Error(`block '${name}' was not running`);
      state.set(name, 'ended');
      running--;
      if (end === 'succeeded') {
        succeeded.add(name);
        return [];
      }
      // Only what depends on the failed block stops; other branches carry on.
      const stopped = new Set([name]);
      const skipped: Block[] = [];
      for (const block of blocks) {
        if (state.get(block.name) !== 'pending' || !waitsFor(block).some((up) => stopped.has(up))) continue;
        state.set(block.name, 'ended');
        stopped.add(block.name);
        skipped.push(block);
      }
      return skipped;
    },
    withdrawPending() {
      const withdrawn = blocks.filter((b) => state.get(b.name) === 'pending');
      for (const block of withdrawn) state.set(block.name, 'ended');
      return withdrawn;
    },
    get running() {
      return running;
    },
    get done() {
      return running === 0 && !blocks.some((b) => state.get(b.name) === 'pending' && ready(b));
    },
  };
}
