import type { Pipeline } from '../../core/pipeline/pipeline.ts';
import type { Project } from '../../core/project/load-project.ts';
import type { RunHistory, RunRecord } from '../../core/run-store/run-history.ts';
import type { RunQueue } from '../../core/run-store/run-queue.ts';
import { runPipeline } from '../../core/run/run-pipeline.ts';
import { pruneOldOutputs } from '../../core/run/prune-old-outputs.ts';
import { toSluiceError } from '../../core/errors.ts';
import {
  claimBackfillDate,
  newBackfillId,
  planBackfill,
  runBackfill,
  waitForRunEnd,
  type BackfillItem,
  type BackfillOutcome,
} from '../../scheduler/run-backfill.ts';
import { createEngine, queueSettingsOf, runDependencies } from '../../engine/create-engine.ts';
import { alertRun } from '../../alerts/alert-run.ts';
import { runHeartbeat } from '../../engine/run-heartbeat.ts';
import { bold, describeError, dim, green, red, type Output } from '../output.ts';

export interface BackfillCommandOptions {
  readonly variables: Record<string, string>;
  /** Runs at a time; by default 1, or `queuedBackfillParallel` when block runs go to workers. */
  readonly parallel?: number | undefined;
  /** Block runs of each run at once. */
  readonly concurrency?: number | undefined;
  readonly block?: string | undefined;
  readonly from?: string | undefined;
}

/** Dates run at once by a backfill whose block runs go through the queue, unless `--parallel` says otherwise. */
export const queuedBackfillParallel = 8;

/** `sluice run P --backfill START..END`: one run per logical date, resumable, with progress. */
export async function backfillCommand(
  project: Project,
  pipeline: Pipeline,
  range: { first: string; last: string },
  options: BackfillCommandOptions,
  out: Output,
): Promise<number> {
  const items = planBackfill(pipeline, range.first, range.last);
  const backfillId = newBackfillId();
  // With a queue this process only plans and waits; the dates' block runs spread over the workers.
  const parallel = options.parallel ?? (queueSettingsOf(project) ? queuedBackfillParallel : 1);
  // Runs side by side each need a slot at least, whatever sluice.yaml's process-wide limit.
  const engine = await createEngine(project, { concurrency: Math.max(parallel, options.concurrency ?? 0) });
  const controller = new AbortController();
  // Each date in flight gets a signal of its own, aborted from here, rather than one listener per date (and
  // more per block run) on the backfill's signal: `--parallel 16` would pass Node's leak warning's limit.
  const dates = new Set<AbortController>();
  const onSignal = (): void => {
    const reason = new Error('cancelled by the user');
    controller.abort(reason);
    for (const date of dates) date.abort(reason);
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  // Outputs beyond keep_runs are removed once per `parallel` dates ended and once at the end, not after
  // every date: two statements (and a removal) per batch instead of per date.
  let endedSincePrune = 0;
  let pruning: Promise<void> = Promise.resolve();
  const prune = (): Promise<void> => {
    endedSincePrune = 0;
    pruning = pruning.then(() => pruneOldOutputs(engine.store, engine.outputs, engine.project, pipeline.name)).catch((error: unknown) => {
      out.error(`outputs of old runs not removed (the next run removes them): ${describeError(toSluiceError(error).toJSON(), project.root)}`);
    });
    return pruning;
  };
  out.line(`${bold(pipeline.name)} backfill ${range.first}..${range.last}: ${items.length} run${items.length === 1 ? '' : 's'}${parallel > 1 ? `, ${parallel} at a time` : ''}`);
  try {
    const result = await runBackfill(
      engine.store,
      pipeline,
      items,
      async (item, lost) => {
        const date = new AbortController();
        dates.add(date);
        try {
          return await runDate(item, lost, date.signal);
        } finally {
          dates.delete(date);
          if (++endedSincePrune >= parallel) void prune();
        }
      },
      {
        parallel,
        signal: controller.signal,
        onProgress: (p) => out.status(`  ${p.done + p.skipped + p.elsewhere + p.failed}/${p.total} done${p.running.length ? `, running ${p.running.join(', ')}` : ''}`),
      },
    );
    await prune();
    const summary = `${result.done} succeeded, ${result.skipped} already done, ${result.elsewhere ? `${result.elsewhere} run by another submitter, ` : ''}${result.failed} failed`;
    if (result.failed || controller.signal.aborted) {
      out.error(`${red('Backfill incomplete')}: ${summary}${controller.signal.aborted ? ', cancelled' : ''}; run the same command again to resume`);
      return 1;
    }
    out.line(`${green('Backfill complete')}: ${summary}`);
    return 0;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await pruning;
    await engine.close();
  }

  async function runDate(item: BackfillItem, lost: RunRecord | undefined, signal: AbortSignal): Promise<{ id: string; status: BackfillOutcome }> {
    const heartbeat = runHeartbeat('cli');
    const whole = !options.block && !options.from;
    // A lost run of the date from before backfill keys (a plain dated run) is carried on as it was.
    const adopted = lost && whole && !lost.dedupeKey ? await adoptLostRun(engine.store, pipeline, lost, heartbeat) : undefined;
    if (adopted === 'elsewhere') {
      out.line(`  ${dim('-')} ${item.logicalDate} ${dim(lost!.id)}  lost run already taken up by another process`);
      return { id: lost!.id, status: 'skipped' as const };
    }
    if (adopted) out.line(`  ${dim('↻')} ${item.logicalDate} ${dim(adopted.id)}  carrying on its lost run (attempt ${adopted.attempt})`);
    let claimed: { id: string; only?: string[]; reuseOutputsOf?: string } | undefined = adopted ? { id: adopted.id, only: adopted.unfinished, reuseOutputsOf: adopted.id } : undefined;
    if (whole && !adopted) {
      const claim = await claimDate(engine.store, pipeline, item, { ...heartbeat, backfillId, variables: options.variables }, signal, out);
      if ('status' in claim) return claim;
      claimed = claim;
    }
    const run = await runPipeline(
      await runDependencies(engine),
      pipeline,
      {
        block: options.block,
        from: options.from,
        concurrency: options.concurrency,
        variables: options.variables,
        logicalDate: item.logicalDate,
        dataInterval: item.interval,
        trigger: 'backfill',
        backfillId,
        signal,
        // Claiming the date (a new run, or a failed or lost one taken back) took the lease just now.
        heartbeat: { ...heartbeat, renewed: claimed !== undefined },
        pruneOutputs: false,
        ...(claimed ? { existingRunId: claimed.id, ...(claimed.only ? { only: claimed.only } : {}), ...(claimed.reuseOutputsOf ? { reuseOutputsOf: claimed.reuseOutputsOf } : {}) } : {}),
      },
    );
    for (const alert of await alertRun(engine.store, pipeline, run, { project: engine.project })) {
      if (!alert.ok) out.error(`alert not sent ${alert.channel}: ${alert.error?.message ?? 'unknown error'}`);
    }
    const mark = run.status === 'succeeded' ? green('✓') : red('✗');
    out.line(`  ${mark} ${item.logicalDate} ${dim(run.id)}${run.error ? `  ${describeError(run.error, project.root)}` : ''}`);
    return run;
  }
}

/**
 * Decides who runs a date (see `claimBackfillDate`): this process, as a new
 * run or the date's failed run taken back, or another submitter, whose run
 * it reports and waits for. A holder that dies meanwhile (its run reaped as
 * lost) leaves the date to be claimed again.
 */
async function claimDate(
  store: RunHistory & RunQueue,
  pipeline: Pipeline,
  item: BackfillItem,
  claim: Parameters<typeof claimBackfillDate>[3],
  signal: AbortSignal,
  out: Output,
): Promise<{ id: string; only?: string[]; reuseOutputsOf?: string } | { id: string; status: BackfillOutcome }> {
  for (;;) {
    const taken = await claimBackfillDate(store, pipeline, item, claim);
    if (taken.kind === 'new') return { id: taken.run.id };
    if (taken.kind === 'retry') {
      out.line(`  ${dim('↻')} ${item.logicalDate} ${dim(taken.run.id)}  ${taken.lost ? 'carrying on its lost run' : 'trying its failed run again'} (attempt ${taken.run.attempt})`);
      if (!taken.lost) return { id: taken.run.id };
      const finished = new Set((await store.listBlockRuns(taken.run.id)).filter((b) => b.status === 'succeeded').map((b) => b.block));
      return { id: taken.run.id, only: pipeline.blocks.filter((b) => !finished.has(b.name)).map((b) => b.name), reuseOutputsOf: taken.run.id };
    }
    const held = taken.run;
    const why = held.status === 'succeeded' ? 'already done by another submitter' : held.status === 'queued' ? 'already submitted (queued) by another submitter; waiting for it' : 'already running for another submitter; waiting for it';
    out.line(`  ${dim('=')} ${item.logicalDate} ${dim(held.id)}  ${why}`);
    const ended = held.status === 'succeeded' ? held : await waitForRunEnd(store, held.id, signal);
    if (ended?.status === 'failed' && ended.error?.code === 'run.lost' && !signal.aborted) continue;
    if (ended?.status === 'succeeded') {
      if (held.status !== 'succeeded') out.line(`  ${green('✓')} ${item.logicalDate} ${dim(held.id)}  succeeded in another process`);
      return { id: held.id, status: 'elsewhere' };
    }
    out.line(`  ${red('✗')} ${item.logicalDate} ${dim(held.id)}  ${ended?.status ?? 'gone'} in another process`);
    return { id: held.id, status: ended?.status === 'cancelled' ? 'cancelled' : 'failed' };
  }
}

/**
 * Takes a date's lost run back as its next attempt (the blocks it had not
 * finished, on the outputs of those it had), so the date does not get a
 * second run that a scheduler's retry of the lost one would double.
 * 'elsewhere' when another process took it up first.
 */
async function adoptLostRun(
  store: RunHistory & Pick<RunQueue, 'requeueRun'>,
  pipeline: Pipeline,
  lost: RunRecord,
  heartbeat: { owner: string; leaseMs: number },
): Promise<{ id: string; attempt: number; unfinished: string[] } | 'elsewhere'> {
  const adopted = await store.requeueRun(lost.id, heartbeat);
  if (!adopted) return 'elsewhere';
  const finished = new Set((await store.listBlockRuns(lost.id)).filter((b) => b.status === 'succeeded').map((b) => b.block));
  return { id: adopted.id, attempt: adopted.attempt, unfinished: pipeline.blocks.filter((b) => !finished.has(b.name)).map((b) => b.name) };
}
