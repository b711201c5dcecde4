import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import type { ConnectorRegistry } from '../connectors/connector.ts';
import type { DataPlane, StoredOutput } from '../data-plane/data-plane.ts';
import { ConfigError, SluiceError, toSluiceError } from '../errors.ts';
import { withDownstream } from '../pipeline/dag.ts';
import type { Block, Pipeline } from '../pipeline/pipeline.ts';
import type { VariableValue } from '../pipeline/pipeline-schema.ts';
import { loadProject, type Project } from '../project/load-project.ts';
import { mask } from '../project/secrets.ts';
import type { BlockRunRecord, LogLevel, RunStatus, RunStore } from '../run-store/run-store.ts';
import type { BlockInput, BlockResult, BlockRunContext, BlockRunners } from './block-runner.ts';
import { createConnectionPool } from './connection-pool.ts';
import { createLogger } from './logger.ts';
import { noRetries, retryDelay, shouldRetry } from './retry-policy.ts';
import { formatDuration } from '../pipeline/duration.ts';
import type { DataInterval } from '../pipeline/schedule.ts';
import { setTimeout as sleep } from 'node:timers/promises';
import { linkSignals } from '../signals/linked-signal.ts';
import { decideRoleOutcome, type RoleOutcome } from './role-outcome.ts';
import { uncaptured } from './capture-block-output.ts';
import { raceTimeout, sense, timedOut } from './block-timing.ts';
import type { RunTrigger } from './run-triggers.ts';
import { keepRunAlive } from './keep-run-alive.ts';
import { judgeBlockMetrics } from '../quality/judge-block-metrics.ts';

export interface RunOptions {
  /** Run only this block, on the latest stored outputs of its upstreams. */
  readonly block?: string | undefined;
  /** Run this block and everything downstream of it. */
  readonly from?: string | undefined;
  /** Run exactly these blocks (in pipeline order), e.g. those a failed run did not finish. */
  readonly only?: readonly string[] | undefined;
  /** Read upstream outputs that are not re-run from this earlier run, instead of the latest ones. */
  readonly reuseOutputsOf?: string | undefined;
  /** Values from the command line or an API call; they override the pipeline's defaults. */
  readonly variables?: Readonly<Record<string, string | number | boolean>> | undefined;
  readonly logicalDate?: string | undefined;
  /** The data the run covers, [start, end); with a logical date and no schedule, that day. */
  readonly dataInterval?: DataInterval | undefined;
  readonly trigger?: RunTrigger | undefined;
  /** The backfill this run is one date of, so the runs list shows the backfill as one row. */
  readonly backfillId?: string | undefined;
  readonly signal?: AbortSignal | undefined;
  /** The run record was already created (by a scheduler that claimed the tick); carry on under this id. */
  readonly existingRunId?: string | undefined;
  /** Keep a lease on the run so another process can tell it is alive, and reap it if this one dies. */
  readonly heartbeat?: { readonly owner: string; readonly leaseMs: number } | undefined;
}

/** What a caller (the CLI's progress display, the server's live view) hears while a run goes. */
export interface RunReporter {
  runStarted?(run: { id: string; pipeline: string; blocks: readonly Block[] }): void;
  blockStarted?(block: Block): void;
  blockFinished?(record: BlockRunRecord): void;
  log?(block: string | undefined, level: LogLevel, message: string): void;
}

export interface RunResult {
  readonly id: string;
  readonly status: RunStatus;
  readonly blocks: readonly BlockRunRecord[];
  readonly error?: SluiceError | undefined;
  readonly durationMs: number;
}

export interface RunDependencies {
  readonly project: Project;
  readonly store: RunStore;
  readonly dataPlane: DataPlane;
  readonly connectors: ConnectorRegistry;
  readonly runners: BlockRunners;
  readonly reporter?: RunReporter | undefined;
}

/**
 * Runs a pipeline (or part of it) once: each block in order, each output
 * stored for the run, every step recorded in the run store.
 */
export async function runPipeline(deps: RunDependencies, pipeline: Pipeline, options: RunOptions = {}): Promise<RunResult> {
  const { store, reporter } = deps;
  const started = Date.now();
  const project = await currentProject(deps.project, store, options.existingRunId);
  if (!pipeline.blocks.length) {
    const empty = new ConfigError('pipeline.no_blocks', `pipeline '${pipeline.name}' has no blocks yet; add one to ${path.relative(project.root, pipeline.file)} first`, {
      location: { file: path.relative(project.root, pipeline.file) },
    });
    // A run a scheduler or trigger already recorded must not be left running.
    if (options.existingRunId) await store.finishRun(options.existingRunId, 'failed', empty.toJSON());
    throw empty;
  }
  const selected = selectBlocks(pipeline, options);
  const variables = mergeVariables(pipeline, options.variables ?? {});
  const id = options.existingRunId ?? newRunId();
  const lost = new AbortController();
  const runSignal = linkSignals([options.signal, lost.signal]);
  const signal = runSignal.signal;
  const runDir = path.join(project.stateDir, 'outputs', pipeline.name, id);
  const tempRoot = path.join(project.stateDir, 'tmp', id);

  // Upstream outputs this selection needs from earlier runs are resolved before anything starts.
  const outputs = new Map<string, StoredOutput>();
  await loadEarlierOutputs(store, pipeline, selected, outputs, options.reuseOutputsOf);

  if (!options.existingRunId) {
    await store.createRun({
      id,
      pipeline: pipeline.name,
      pipelineVersion: pipeline.version,
      logicalDate: options.logicalDate,
      variables,
      trigger: options.trigger ?? 'manual',
      ...(options.backfillId ? { backfillId: options.backfillId } : {}),
      startedAt: new Date(started).toISOString(),
    });
  }
  const stopHeartbeat = options.heartbeat ? keepRunAlive(store, id, options.heartbeat, lost) : () => undefined;
  reporter?.runStarted?.({ id, pipeline: pipeline.name, blocks: selected });
  for (const block of selected) await store.upsertBlockRun({ runId: id, block: block.name, status: 'pending' });

  const connections = createConnectionPool(project, deps.connectors);
  const session = await deps.dataPlane.openSession();
  const records: BlockRunRecord[] = [];
  // Blocks that failed or were skipped: only their downstream blocks are skipped, other branches run on.
  const stopped = new Set<string>();
  let failure: SluiceError | undefined;
  let status: RunStatus = 'succeeded';
  try {
    const interval = options.dataInterval;
    const builtins = {
      run_id: id,
      logical_date: options.logicalDate ?? '',
      data_interval_start: interval?.start.toISOString() ?? '',
      data_interval_end: interval?.end.toISOString() ?? '',
    };
    for (const [name, value] of Object.entries({ ...variables, ...builtins })) {
      await session.setVariable(name, value);
    }
    for (const block of selected) {
      if (signal.aborted || block.upstream.some((up) => stopped.has(up))) {
        const skipped: BlockRunRecord = { runId: id, block: block.name, status: signal.aborted ? 'cancelled' : 'skipped' };
        if (signal.aborted && !failure) status = 'cancelled';
        stopped.add(block.name);
        await store.upsertBlockRun(skipped);
        records.push(skipped);
        continue;
      }
      const startedAt = new Date().toISOString();
      await store.upsertBlockRun({ runId: id, block: block.name, status: 'running', startedAt });
      reporter?.blockStarted?.(block);
      const logs: Promise<void>[] = [];
      const logger = createLogger((level, message) =>
        // The reporter may print; that is the run's own output, not the block's to capture again.
        uncaptured(() => {
          const masked = mask(message);
          logs.push(store.appendLog({ runId: id, block: block.name, level, message: masked, at: new Date().toISOString() }));
          reporter?.log?.(block.name, level, masked);
        }),
      );
      const policy = block.retries ?? pipeline.retries ?? noRetries;
      // A sensor waits; without a timeout of its own it gives up after an hour.
      const timeout = block.timeout ?? pipeline.timeout ?? (block.role === 'sensor' ? 3_600_000 : undefined);
      let record: BlockRunRecord;
      for (let attempt = 1; ; attempt++) {
        const tempDir = path.join(tempRoot, block.name);
        mkdirSync(tempDir, { recursive: true });
        const outputLocation = path.join(runDir, `${block.name}.parquet`);
        const deadline = linkSignals([signal], timeout);
        const blockSignal = deadline.signal;
        // A test's failing rows stay with its failed block run, so `preview` can show them.
        let failingOutput: StoredOutput | undefined;
        try {
          const inputs: BlockInput[] = [];
          for (const up of block.upstream) {
            const output = outputs.get(up);
            if (!output) throw new SluiceError('run.upstream_missing', `upstream '${up}' produced no table`, { location: { block: block.name } });
            await session.attach(up, output);
            inputs.push({ name: up, output });
          }
          const context: BlockRunContext = {
            project,
            pipeline,
            runId: id,
            logicalDate: options.logicalDate,
            dataInterval: options.dataInterval,
            variables,
            session,
            connectors: deps.connectors,
            connections,
            inputs,
            outputLocation,
            tempDir,
            logger,
            signal: blockSignal,
            store,
          };
          const runner = deps.runners[block.language] as (b: Block, c: BlockRunContext) => Promise<BlockResult>;
          const execute = async (): Promise<RoleOutcome> => decideRoleOutcome(block, await runner(block, context), pipeline.name);
          const run = sense(block, execute, blockSignal, logger);
          const outcome = await (timeout === undefined ? run : raceTimeout(run, blockSignal, signal, block, timeout));
          if (outcome.failure) {
            failingOutput = outcome.result.output;
            throw outcome.failure;
          }
          const result = outcome.result;
          const judged = result.output && (await judgeBlockMetrics({ store, session, pipeline: pipeline.name, block, runId: id, logicalDate: options.logicalDate, output: result.output, logger }));
          if (judged && judged.failure) {
            failingOutput = result.output;
            throw judged.failure;
          }
          if (result.output) outputs.set(block.name, result.output);
          record = {
            runId: id,
            block: block.name,
            status: 'succeeded',
            startedAt,
            endedAt: new Date().toISOString(),
            rowsIn: result.rowsIn,
            rowsOut: result.output?.rows,
            rowsRejected: result.rowsRejected,
            output: result.output?.location,
            columns: result.output?.columns,
            summary: attempt > 1 ? `${result.summary ? `${result.summary}; ` : ''}succeeded on attempt ${attempt}` : result.summary,
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
          failure ??= problem;
          status = signal.aborted ? 'cancelled' : 'failed';
          stopped.add(block.name);
          // Whatever a failed attempt half-wrote is removed, so no later read mistakes it for this block's output.
          if (!failingOutput) rmSync(outputLocation, { recursive: true, force: true });
          record = {
            runId: id,
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
          deadline.dispose();
          rmSync(tempDir, { recursive: true, force: true });
        }
      }
      await Promise.all(logs);
      await store.upsertBlockRun(record);
      records.push(record);
      reporter?.blockFinished?.(record);
    }
  } finally {
    runSignal.dispose();
    stopHeartbeat();
    await connections.closeAll();
    await session.close();
    rmSync(tempRoot, { recursive: true, force: true });
  }
  // A run another process declared lost keeps that verdict: its retry may already be under way.
  if (!lost.signal.aborted) await store.finishRun(id, status, failure?.toJSON());
  await pruneOldOutputs(store, project, pipeline.name);
  return { id, status, blocks: records, error: failure, durationMs: Date.now() - started };
}

function selectBlocks(pipeline: Pipeline, options: RunOptions): Block[] {
  const known = (name: string): void => {
    if (!pipeline.blocks.some((b) => b.name === name)) {
      throw new ConfigError('run.unknown_block', `pipeline '${pipeline.name}' has no block '${name}' (blocks: ${pipeline.blocks.map((b) => b.name).join(', ')})`);
    }
  };
  if (options.block && options.from) throw new ConfigError('run.block_and_from', 'give --block or --from, not both');
  if (options.only) {
    options.only.forEach(known);
    return pipeline.blocks.filter((b) => options.only!.includes(b.name));
  }
  if (options.block) {
    known(options.block);
    return pipeline.blocks.filter((b) => b.name === options.block);
  }
  if (options.from) {
    known(options.from);
    return withDownstream(pipeline.blocks, [options.from]);
  }
  return [...pipeline.blocks];
}

async function loadEarlierOutputs(
  store: RunStore,
  pipeline: Pipeline,
  selected: readonly Block[],
  into: Map<string, StoredOutput>,
  fromRun: string | undefined,
): Promise<void> {
  const inSelection = new Set(selected.map((b) => b.name));
  const ofRun = fromRun ? new Map((await store.listBlockRuns(fromRun)).filter((b) => b.status === 'succeeded').map((b) => [b.block, b])) : undefined;
  for (const block of selected) {
    for (const up of block.upstream) {
      if (inSelection.has(up) || into.has(up)) continue;
      const latest = ofRun ? ofRun.get(up) : await store.latestOutput(pipeline.name, up);
      if (!latest?.output || !existsSync(latest.output)) {
        throw new ConfigError(
          'run.upstream_not_stored',
          `block '${block.name}' reads '${up}', which has no stored output${latest ? ' any more' : ''}; run the pipeline (or 'sluice run ${pipeline.name} --from ${up}') first`,
        );
      }
      into.set(up, { location: latest.output, rows: latest.rowsOut ?? 0, columns: latest.columns ?? [] });
    }
  }
}

/**
 * The project as its files are now: connections and secrets added since the
 * calling process started (in the web UI, say) are seen by every run, whoever
 * starts it. A run a scheduler already recorded is failed when they no longer load.
 */
async function currentProject(loaded: Project, store: RunStore, existingRunId: string | undefined): Promise<Project> {
  try {
    return loadProject(loaded.root);
  } catch (error) {
    if (existingRunId) await store.finishRun(existingRunId, 'failed', toSluiceError(error).toJSON());
    throw error;
  }
}

/** Pipeline defaults, overridden by the caller's values (typed like the default they replace). */
export function mergeVariables(
  pipeline: Pipeline,
  overrides: Readonly<Record<string, string | number | boolean>>,
): Record<string, VariableValue> {
  const merged: Record<string, VariableValue> = { ...pipeline.variables };
  for (const [name, value] of Object.entries(overrides)) {
    const base = pipeline.variables[name];
    if (typeof value === 'string' && typeof base === 'number') {
      const n = Number(value);
      if (!Number.isFinite(n)) throw new ConfigError('run.bad_variable', `variable ${name} must be a number (its default is ${base}); got '${value}'`);
      merged[name] = n;
    } else if (typeof value === 'string' && typeof base === 'boolean') {
      if (value !== 'true' && value !== 'false') throw new ConfigError('run.bad_variable', `variable ${name} must be true or false; got '${value}'`);
      merged[name] = value === 'true';
    } else merged[name] = value;
  }
  return merged;
}

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

export function newRunId(): string {
  const stamp = new Date().toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
  return `${stamp}-${randomBytes(3).toString('hex')}`;
}

async function pruneOldOutputs(store: RunStore, project: Project, pipeline: string): Promise<void> {
  const old = await store.runsBeyond(pipeline, project.settings.data_plane.keep_runs);
  for (const runId of old) {
    // A queued or running run (a backfill's, started long ago) still needs its outputs.
    const status = (await store.getRun(runId))?.status;
    if (status === 'queued' || status === 'running') continue;
    rmSync(path.join(project.stateDir, 'outputs', pipeline, runId), { recursive: true, force: true });
  }
}
