import { existsSync, mkdirSync, rmdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { rejectsLocation } from '../connectors/rejects-location.ts';
import type { DataPlaneSession, StoredOutput } from '../data-plane/data-plane.ts';
import { SluiceError } from '../errors.ts';
import { formatDuration } from '../pipeline/duration.ts';
import type { Block } from '../pipeline/pipeline.ts';
import { mask } from '../project/secrets.ts';
import type { BlockRunRecord } from '../run-store/run-store.ts';
import { linkSignals } from '../signals/linked-signal.ts';
import type { BlockInput, BlockResult, BlockRunContext } from './block-runner.ts';
import { intervalOfJob, type BlockRunJob, type BlockRunOutcome } from './block-run-job.ts';
import { raceTimeout, sense, timedOut } from './block-timing.ts';
import { uncaptured } from './capture-block-output.ts';
import { createConnectionPool } from './connection-pool.ts';
import type { BlockRunScope, BlockRunWatch } from './executor.ts';
import { createLogger } from './logger.ts';
import { noRetries, retryDelay, shouldRetry } from './retry-policy.ts';
import { decideRoleOutcome, type RoleOutcome } from './role-outcome.ts';
import { checkBlockOutput } from '../quality/check-block-output.ts';
import { findKeptProfile } from '../quality/find-kept-profile.ts';
import { judgeBlockMetrics } from '../quality/judge-block-metrics.ts';
import { judgeBlockDrift, recordDiscardedRows, type JudgedDrift } from '../quality/judge-block-drift.ts';
import { defaultDriftSettings } from '../quality/drift-settings.ts';

/** A sensor waits; without a timeout of its own it gives up after an hour. */
const sensorTimeout = 3_600_000;

/**
 * Runs one block run to its end: attaches its inputs (by reference, from the
 * output store), runs the block with its retries and timeout, lets its role
 * judge the result, keeps the output, and records every step in the run store.
 * A failure is an outcome, not an exception. Each block run has its own data
 * plane session (its own connection) and its own connections, so block runs
 * side by side in one process share nothing but the engine.
 */
export async function executeBlockRun(scope: BlockRunScope, job: BlockRunJob, signal: AbortSignal, watch: BlockRunWatch = {}): Promise<BlockRunOutcome> {
  const { project, pipeline, store } = scope;
  const block = pipeline.blocks.find((b) => b.name === job.block);
  if (!block) throw new SluiceError('run.unknown_block', `pipeline '${pipeline.name}' has no block '${job.block}'`);
  const startedAt = new Date().toISOString();
  await store.upsertBlockRun({ runId: job.runId, block: block.name, status: 'running', startedAt });
  watch.started?.(block);
  const logs: Promise<void>[] = [];
  const logger = createLogger((level, message) =>
    // The watcher may print; that is the run's own output, not the block's to capture again.
    uncaptured(() => {
      const masked = mask(message);
      logs.push(store.appendLog({ runId: job.runId, block: block.name, level, message: masked, at: new Date().toISOString() }));
      watch.log?.(level, masked);
    }),
  );
  const policy = block.retries ?? pipeline.retries ?? noRetries;
  const timeout = block.timeout ?? pipeline.timeout ?? (block.role === 'sensor' ? sensorTimeout : undefined);
  const tempDir = path.join(project.stateDir, 'tmp', job.runId, block.name);
  const session = await scope.dataPlane.openSession();
  const connections = createConnectionPool(project, scope.connectors);
  let record: BlockRunRecord;
  let output: StoredOutput | undefined;
  // Inputs read from the output store, held (never pruned from a cache) until the block run ends.
  const held: string[] = [];
  try {
    await setVariables(session, job);
    for (let attempt = 1; ; attempt++) {
      mkdirSync(tempDir, { recursive: true });
      const deadline = linkSignals([signal], timeout);
      const blockSignal = deadline.signal;
      // What the attempt's code logs once the attempt is over (abandoned past its timeout, and still going on a
      // worker that lives on) is dropped: the block run's log ends with its outcome.
      let attemptOver = false;
      const attemptLogger = createLogger((level, message) => attemptOver || logger[level](message));
      // A test's failing rows stay with its failed block run, so `preview` can show them.
      let failingOutput: StoredOutput | undefined;
      const staged = scope.outputs.stagingPath(job.outputLocation, tempDir);
      try {
        const inputs: BlockInput[] = [];
        // A block may hand an input on as its own output (an exporter does): it stays where it is kept.
        const keptAt = new Map<string, string>();
        for (const input of job.inputs) {
          const readable = { ...input.output, location: await scope.outputs.read(input.output.location) };
          held.push(readable.location);
          keptAt.set(readable.location, input.output.location);
          await session.attach(input.name, readable);
          inputs.push({ name: input.name, output: readable });
        }
        const keep = async (written: StoredOutput): Promise<StoredOutput> => {
          const kept = keptAt.get(written.location);
          if (kept !== undefined) return { ...written, location: kept };
          await scope.outputs.write(job.outputLocation, written.location);
          // Rows a loader rejected sit beside its output (`sluice preview --rejects`), and are kept with it.
          const rejects = rejectsLocation(written.location);
          if (existsSync(rejects)) await scope.outputs.write(rejectsLocation(job.outputLocation), rejects);
          return { ...written, location: job.outputLocation };
        };
        const context: BlockRunContext = {
          project,
          pipeline,
          runId: job.runId,
          logicalDate: job.logicalDate,
          dataInterval: intervalOfJob(job),
          variables: job.variables,
          session,
          connectors: scope.connectors,
          connections,
          inputs,
          outputLocation: staged,
          tempDir,
          logger: attemptLogger,
          signal: blockSignal,
          store,
          outputs: scope.outputs,
        };
        const runner = scope.runners[block.language] as (b: Block, c: BlockRunContext) => Promise<BlockResult>;
        const execute = async (): Promise<RoleOutcome> => decideRoleOutcome(block, await runner(block, context), pipeline.name);
        const run = sense(block, execute, blockSignal, attemptLogger);
        const outcome = await (timeout === undefined ? run : raceTimeout(run, blockSignal, signal, block, timeout));
        if (outcome.failure) {
          failingOutput = outcome.result.output && (await keep(outcome.result.output));
          throw outcome.failure;
        }
        // Drift is judged first, against the block's last succeeded output, so a refused output is
        // never checked, kept or read downstream. An output handed on from an input is the input's.
        const written = outcome.result.output;
        let drift: JudgedDrift | undefined;
        if (written && !keptAt.has(written.location)) {
          const settings = block.drift ?? project.settings.drift ?? defaultDriftSettings;
          drift = await judgeBlockDrift({ store, session, pipeline: pipeline.name, block, runId: job.runId, output: written, flagColumns: outcome.result.flagColumns, settings, logger: attemptLogger, signal: blockSignal });
          if (drift.failure) throw drift.failure;
        }
        const drifted = drift ? { ...outcome.result, output: drift.output, summary: [outcome.result.summary, drift.summary].filter(Boolean).join('; ') || undefined } : outcome.result;
        // Checks judge the written output before it is kept (quarantine rewrites it), with this
        // run's upstream outputs at hand for relationships checks.
        const upstreamOutputs = new Map(inputs.map((input) => [input.name, input.output]));
        const handedOn = written && keptAt.get(written.location);
        const keptProfile = handedOn === undefined ? undefined : () => findKeptProfile(store, job.runId, handedOn);
        const result = await checkBlockOutput(block, drifted, context, upstreamOutputs, keptProfile);
        // The block's numbers (rows, null rates, metric sums) are judged against its history.
        const judged =
          result.output &&
          (await judgeBlockMetrics({ store, session, pipeline: pipeline.name, block, runId: job.runId, logicalDate: job.logicalDate, output: result.output, logger: attemptLogger }));
        if (judged && judged.failure) {
          failingOutput = await keep(result.output!);
          throw judged.failure;
        }
        output = result.output && (await keep(result.output));
        if (drift?.discarded) await recordDiscardedRows(store, job.runId, block.name, drift.discarded);
        // Only a kept output becomes the baseline the block's next output is compared with.
        if (drift?.fingerprint) await store.putFingerprint({ runId: job.runId, pipeline: pipeline.name, block: block.name, fingerprint: drift.fingerprint, at: new Date().toISOString() });
        record = {
          runId: job.runId,
          block: block.name,
          status: 'succeeded',
          startedAt,
          endedAt: new Date().toISOString(),
          rowsIn: result.rowsIn,
          rowsOut: output?.rows,
          rowsRejected: result.rowsRejected,
          output: output?.location,
          columns: output?.columns,
          summary: attempt > 1 ? `${result.summary ? `${result.summary}; ` : ''}succeeded on attempt ${attempt}` : result.summary,
          ...(result.datasets?.length ? { datasets: result.datasets } : {}),
        };
        break;
      } catch (error) {
        const problem = located(timedOut(error, blockSignal, signal, block, timeout), block);
        if (!signal.aborted && shouldRetry(policy, problem, attempt)) {
          const wait = retryDelay(policy, attempt);
          logger.warn(`attempt ${attempt} of ${policy.count + 1} failed: ${problem.describe(project.root)}; retrying in ${formatDuration(wait)}`);
          await sleep(wait, undefined, { signal }).catch(() => undefined);
          if (!signal.aborted) continue;
        }
        // Whatever a failed attempt half-wrote is removed, so no later read mistakes it for this block's output.
        if (!failingOutput) await scope.outputs.delete(job.outputLocation);
        // The rows a loader rejected are kept even when they failed it (max_rejects): they say why it failed.
        const stagedRejects = rejectsLocation(staged);
        if (existsSync(stagedRejects)) await scope.outputs.write(rejectsLocation(job.outputLocation), stagedRejects);
        record = {
          runId: job.runId,
          block: block.name,
          status: signal.aborted ? 'cancelled' : 'failed',
          startedAt,
          endedAt: new Date().toISOString(),
          error: problem.toJSON(),
          ...(failingOutput ? { output: failingOutput.location, rowsOut: failingOutput.rows, columns: failingOutput.columns } : {}),
        };
        logger.error(problem.describe(project.root));
        break;
      } finally {
        attemptOver = true;
        deadline.dispose();
        rmSync(tempDir, { recursive: true, force: true });
      }
    }
  } finally {
    removeIfEmpty(path.dirname(tempDir));
    await connections.closeAll();
    await session.close();
    for (const file of held) scope.outputs.release(file);
  }
  await Promise.all(logs);
  await store.upsertBlockRun(record);
  return { record, output };
}

async function setVariables(session: Pick<DataPlaneSession, 'setVariables'>, job: BlockRunJob): Promise<void> {
  const builtins = {
    run_id: job.runId,
    logical_date: job.logicalDate ?? '',
    data_interval_start: job.dataInterval?.start ?? '',
    data_interval_end: job.dataInterval?.end ?? '',
  };
  await session.setVariables({ ...job.variables, ...builtins });
}

/** The error with the block's name and place, its message masked. */
function located(error: SluiceError, block: Block): SluiceError {
  const message = mask(error.message);
  if (error.location?.block && message === error.message) return error;
  return new SluiceError(error.code, message, {
    cause: error.cause,
    retryable: error.retryable,
    kind: error.kind,
    location: { ...(error.location ?? { file: block.declaredAt.file, line: block.declaredAt.line }), block: block.name },
    ...(error.userStack ? { userStack: error.userStack } : {}),
  });
}

/**
 * The run's scratch folder goes with its last block run in this process: a
 * worker on another machine than the run's would otherwise keep an empty one
 * per run, and the run's own process removes only its own machine's.
 */
function removeIfEmpty(folder: string): void {
  try {
    rmdirSync(folder);
  } catch {
    // Another block run of the run still works in it here, or it is gone already.
  }
}
