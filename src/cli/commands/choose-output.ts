import { ConfigError, SluiceError } from '../../core/errors.ts';
import type { BlockRunRecord, RunHistory } from '../../core/run-store/run-store.ts';

/** How many of a pipeline's latest runs are searched for the block's latest run. */
const recentRuns = 50;

/**
 * Which stored output `preview` shows, and what to say about it first. A
 * failed block run keeps no output, except a failed test, whose failing rows
 * are its output; so a block whose latest run failed shows its last good
 * output, under a line saying the latest run failed and why.
 */
export async function chooseOutput(
  store: RunHistory,
  pipeline: string,
  block: string,
  rejects: boolean,
  /** Where a failed block run's output would have been, when it kept the rows it rejected (a loader failed by max_rejects). */
  rejectsKeptBy?: (runId: string) => Promise<string | undefined>,
): Promise<{ record: BlockRunRecord & { output: string }; notes: string[] }> {
  const latestRun = await latestBlockRun(store, pipeline, block);
  const notes: string[] = [];
  if (latestRun && (latestRun.status === 'failed' || latestRun.status === 'cancelled')) {
    if (latestRun.output && !rejects) return { record: { ...latestRun, output: latestRun.output }, notes };
    const why = latestRun.error ? `: ${SluiceError.fromJSON(latestRun.error).message.split('\n')[0]}` : '';
    notes.push(`block '${block}' ${latestRun.status === 'failed' ? 'failed' : 'was cancelled'} in its latest run ${latestRun.runId}${why}`);
    const keptAt = rejects ? await rejectsKeptBy?.(latestRun.runId) : undefined;
    if (keptAt) return { record: { ...latestRun, output: keptAt }, notes: [...notes, 'showing the rows it rejected in that run'] };
  }
  const good = await store.latestOutput(pipeline, block);
  if (!good?.output) {
    const ran = notes.length ? `; ${notes[0]}` : '';
    throw new ConfigError('preview.no_output', `block '${block}' has no stored output yet${ran}; run 'sluice run ${pipeline} --block ${block}' (or the whole pipeline) first`);
  }
  if (notes.length) notes.push(`showing its last good output, from run ${good.runId}`);
  return { record: { ...good, output: good.output }, notes };
}

/** The block's run in the newest of the pipeline's runs that ran it (not merely listed it as pending or skipped). */
async function latestBlockRun(store: RunHistory, pipeline: string, block: string): Promise<BlockRunRecord | undefined> {
  for (const run of await store.listRuns({ pipeline, limit: recentRuns })) {
    const record = (await store.listBlockRuns(run.id)).find((b) => b.block === block);
    if (record && record.status !== 'pending' && record.status !== 'skipped' && record.status !== 'running') return record;
  }
  return undefined;
}
