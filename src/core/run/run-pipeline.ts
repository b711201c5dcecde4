import { randomBytes } from 'node:crypto';
import { setMaxListeners } from 'node:events';
import { rmSync } from 'node:fs';
import path from 'node:path';
import type { ConnectorRegistry } from '../connectors/connector.ts';
import type { DataPlane, StoredOutput } from '../data-plane/data-plane.ts';
import { ConfigError, SluiceError, toSluiceError } from '../errors.ts';
import { createLocalFolderOutputStore } from '../output-store/local-folder-output-store.ts';
import type { OutputStore } from '../output-store/output-store.ts';
import { withDownstream } from '../pipeline/dag.ts';
import type { Block, Pipeline } from '../pipeline/pipeline.ts';
import type { VariableValue } from '../pipeline/pipeline-schema.ts';
import type { DataInterval } from '../pipeline/schedule.ts';
import { loadProject, type Project } from '../project/load-project.ts';
import type { BlockRunRecord, RunHistory, RunStatus } from '../run-store/run-history.ts';
import type { RunQueue } from '../run-store/run-queue.ts';
import { linkSignals } from '../signals/linked-signal.ts';
import type { BlockRunners, BlockRunStore } from './block-runner.ts';
import type { BlockRunJob } from './block-run-job.ts';
import type { BlockRunScope, Executor } from './executor.ts';
import { createInProcessExecutor } from './in-process-executor.ts';
import { keepRunAlive } from './keep-run-alive.ts';
import { runPlannedBlocks } from './run-planned-blocks.ts';
import { startRunLineage, type RunLineageEnd } from '../lineage/openlineage-emitter.ts';
import { mask } from '../project/secrets.ts';
import type { RunReporter } from './run-reporter.ts';
import type { RunTrigger } from './run-triggers.ts';
import { pruneOldOutputs } from './prune-old-outputs.ts';

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
  /**
   * Keep a lease on the run so another process can tell it is alive, and reap it if this one dies.
   * `renewed`: the caller took the lease on the existing run just now (a backfill claiming its
   * date), so the first renewal waits its turn instead of repeating that statement.
   */
  readonly heartbeat?: { readonly owner: string; readonly leaseMs: number; readonly renewed?: boolean | undefined } | undefined;
  /** Block runs of this run at once; overrides the pipeline's `concurrency:` and the project's. */
  readonly concurrency?: number | undefined;
  /**
   * false: the run leaves removing the outputs of runs beyond `keep_runs` to its caller (a
   * backfill does it once per batch of dates, see `pruneOldOutputs`). By default the run does it.
   */
  readonly pruneOutputs?: boolean | undefined;
}

export type { RunReporter } from './run-reporter.ts';

export interface RunResult {
  readonly id: string;
  readonly status: RunStatus;
  readonly blocks: readonly BlockRunRecord[];
  readonly error?: SluiceError | undefined;
  readonly durationMs: number;
}

/** What the run loop records: each block run's records, and the run's heartbeat while it runs. */
export type RunLoopStore = BlockRunStore & Pick<RunQueue, 'heartbeat'>;

export interface RunDependencies {
  readonly project: Project;
  readonly store: RunLoopStore;
  readonly dataPlane: DataPlane;
  readonly connectors: ConnectorRegistry;
  readonly runners: BlockRunners;
  readonly reporter?: RunReporter | undefined;
  /** Where block runs execute; by default in this process, at most the run's concurrency at once. */
  readonly executor?: Executor | undefined;
  /** Where outputs are kept; by default the project's state folder. */
  readonly outputs?: OutputStore | undefined;
}

/**
 * Runs a pipeline (or part of it) once: every block whose upstreams have
 * finished starts, up to the run's concurrency; each output is stored for
 * the run and every step recorded in the run store. A failure skips only the
 * blocks downstream of it; independent branches run to their end.
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
  const concurrency = options.concurrency ?? pipeline.concurrency ?? project.settings.concurrency;
  const outputs = deps.outputs ?? createLocalFolderOutputStore(path.join(project.stateDir, 'outputs'));
  const executor = deps.executor ?? createInProcessExecutor({ concurrency });
  const id = options.existingRunId ?? newRunId();
  const lost = new AbortController();
  const runSignal = linkSignals([options.signal, lost.signal]);
  const signal = runSignal.signal;
  // Every block run under way listens to the run's signal (its deadline, its wait for a slot, a retry's pause).
  setMaxListeners(10 + 3 * concurrency, signal);

  // Upstream outputs this selection needs from earlier runs are resolved before anything starts.
  const stored = new Map<string, StoredOutput>();
  await loadEarlierOutputs(store, outputs, pipeline, selected, stored, options.reuseOutputsOf);

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

  const scope: BlockRunScope = { project, pipeline, store, dataPlane: deps.dataPlane, connectors: deps.connectors, runners: deps.runners, outputs };
  const interval = options.dataInterval;
  const jobFor = (block: Block): BlockRunJob => ({
    runId: id,
    pipeline: pipeline.name,
    pipelineVersion: pipeline.version,
    block: block.name,
    // An upstream that stored no output (a sensor that answered yes or no) only gates the block: it is no input.
    inputs: block.upstream.flatMap((up) => {
      const output = stored.get(up);
      return output ? [{ name: up, output }] : [];
    }),
    outputLocation: outputs.location({ pipeline: pipeline.name, runId: id, block: block.name }),
    variables,
    logicalDate: options.logicalDate,
    dataInterval: interval && { start: interval.start.toISOString(), end: interval.end.toISOString() },
  });
  let ended: { records: BlockRunRecord[]; failure: SluiceError | undefined };
  let lineage: RunLineageEnd | undefined;
  try {
    lineage = await startLineage(deps, pipeline, selected, id, reporter);
    ended = await runPlannedBlocks({ runId: id, executor, scope, selected, concurrency, signal, stored, jobFor, reporter });
  } finally {
    runSignal.dispose();
    stopHeartbeat();
    rmSync(path.join(project.stateDir, 'tmp', id), { recursive: true, force: true });
  }
  const { records, failure } = ended;
  const status: RunStatus = records.some((r) => r.status === 'failed') ? 'failed' : signal.aborted || records.some((r) => r.status === 'cancelled') ? 'cancelled' : 'succeeded';
  // A run another process declared lost keeps that verdict: its retry may already be under way.
  if (!lost.signal.aborted) await store.finishRun(id, status, failure?.toJSON());
  await lineage?.finish(status, failure, records);
  if (options.pruneOutputs !== false) await pruneOldOutputs(store, outputs, project, pipeline.name);
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
  store: Pick<RunHistory, 'listBlockRuns' | 'latestOutput'>,
  outputs: OutputStore,
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
      if (!latest?.output || !(await outputs.exists(latest.output))) {
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
async function currentProject(loaded: Project, store: Pick<RunHistory, 'finishRun'>, existingRunId: string | undefined): Promise<Project> {
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

export function newRunId(): string {
  const stamp = new Date().toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
  return `${stamp}-${randomBytes(3).toString('hex')}`;
}

/**
 * Tells the project's OpenLineage endpoint (if any) that the run starts. The
 * SQL of the blocks is parsed in a data plane session of its own, closed
 * before the blocks start; a problem costs a warning in the run's log.
 */
async function startLineage(deps: RunDependencies, pipeline: Pipeline, blocks: readonly Block[], runId: string, reporter: RunReporter | undefined): Promise<RunLineageEnd | undefined> {
  if (!deps.project.settings.openlineage) return undefined;
  const session = await deps.dataPlane.openSession();
  try {
    return await startRunLineage({ project: deps.project, pipeline, blocks, runId, session, connectors: deps.connectors, recordedDatasets: (name, block) => deps.store.latestDatasets(name, block), warn: (message) => {
      void deps.store.appendLog({ runId, level: 'warn', message: mask(message), at: new Date().toISOString() }).catch(() => undefined);
      reporter?.log?.(undefined, 'warn', mask(message));
    } });
  } finally {
    await session.close();
  }
}
