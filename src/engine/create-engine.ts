import { existsSync } from 'node:fs';
import path from 'node:path';
import type { ConnectorRegistry } from '../core/connectors/connector.ts';
import { connectors } from '../connectors/registry.ts';
import type { DataPlane } from '../core/data-plane/data-plane.ts';
import type { Project } from '../core/project/load-project.ts';
import type { BlockRunner, BlockRunners } from '../core/run/block-runner.ts';
import type { Block } from '../core/pipeline/pipeline.ts';
import { runConnectorBlock } from '../core/run/connector-block-runner.ts';
import { runSqlBlock } from '../core/run/sql-block-runner.ts';
import { runTsBlock } from '../core/run/ts-block-runner.ts';
import { runStreamLagSensor } from '../core/run/stream-lag-sensor.ts';
import type { RunRecord, RunStore } from '../core/run-store/run-store.ts';
import { SqliteRunStore } from '../core/run-store/sqlite-run-store.ts';
import { resolveConnectionSettings } from '../core/project/load-project.ts';
import { ConfigError } from '../core/errors.ts';
import { mask } from '../core/project/secrets.ts';
import type { Executor } from '../core/run/executor.ts';
import { createInProcessExecutor } from '../core/run/in-process-executor.ts';
import type { RunDependencies, RunReporter } from '../core/run/run-pipeline.ts';
import type { OutputStore } from '../core/output-store/output-store.ts';
import { createOutputStore } from './create-output-store.ts';
import { createLazyExecutor, createQueueExecutor } from '../executor/queue-executor.ts';
import { openBlockRunQueue, type QueueSettings } from '../executor/block-run-queue.ts';
import { PostgresBlockRunLedger } from '../executor/postgres-block-run-ledger.ts';
import { createFleetControl, type FleetControl } from '../executor/read-fleet.ts';

/**
 * Everything a run needs, built once here: the composition root, shared by the
 * `sluice` command and the library entry (`openProject`), so a run started from
 * a program is the same run the command would start.
 */
export interface Engine {
  readonly project: Project;
  readonly store: RunStore;
  readonly connectors: ConnectorRegistry;
  readonly runners: BlockRunners;
  /** Runs block runs in this process, at most the project's `concurrency:` at once across all its runs. */
  readonly blockExecutor: Executor;
  /** Where block outputs are kept and read back. */
  readonly outputs: OutputStore;
  /** The workers and the queue, when sluice.yaml sets `queue:`; the ledger opens on first use. */
  readonly fleet?: FleetControl | undefined;
  /** Runs this process failed as lost when it opened the run store (their process died). */
  readonly reaped: readonly RunRecord[];
  /** The data plane starts on first use: commands that only read history never load DuckDB. */
  dataPlane(): Promise<DataPlane>;
  close(): Promise<void>;
}

export { connectors };

/**
 * A runner whose code loads when a block of its language first runs: the
 * toolkit and integration runners bring many modules, and every `sluice run`
 * would otherwise pay for them at start-up.
 */
function onFirstUse<B extends Block>(load: () => Promise<BlockRunner<B>>): BlockRunner<B> {
  let loaded: Promise<BlockRunner<B>> | undefined;
  return async (block, context) => (await (loaded ??= load()))(block, context);
}

export const runners = {
  ts: runTsBlock,
  sql: runSqlBlock,
  connector: runConnectorBlock,
  sync: onFirstUse(async () => (await import('../integration/run-sync-block.ts')).runSyncBlock),
  clean: onFirstUse(async () => {
    const [{ createCleanBlockRunner }, { cleanTools }] = await Promise.all([import('../core/run/clean-block-runner.ts'), import('../toolkit/clean-tools.ts')]);
    return createCleanBlockRunner(cleanTools);
  }),
  prepare: onFirstUse(async () => (await import('../toolkit/ml/prepare-block-runner.ts')).createPrepareBlockRunner()),
  dedupe: onFirstUse(async () => (await import('../toolkit/dedupe/dedupe-block-runner.ts')).runDedupeBlock),
  stream_lag: runStreamLagSensor,
  examples: onFirstUse(async () => (await import('../toolkit/llm/examples-block-runner.ts')).createExamplesBlockRunner()),
} satisfies BlockRunners;

export interface EngineOptions {
  /** Block runs at once in this process, when a command asks for more than sluice.yaml's `concurrency:`. */
  readonly concurrency?: number | undefined;
}

export async function createEngine(project: Project, options: EngineOptions = {}): Promise<Engine> {
  const store = await openRunStore(project);
  // Any command that opens the run store fails the runs whose process died (their lease lapsed),
  // so a killed run does not stay 'running' until a scheduler comes by. A scheduler retries them.
  const reaped = await store.reapLostRuns().catch(() => []);
  let dataPlane: Promise<DataPlane> | undefined;
  const queue = queueSettingsOf(project);
  const blockExecutor = queue
    ? createLazyExecutor(() => openQueueExecutor(queue))
    : createInProcessExecutor({ concurrency: Math.max(project.settings.concurrency, options.concurrency ?? 0) });
  let ledger: Promise<PostgresBlockRunLedger> | undefined;
  const fleet = queue ? createFleetControl(() => (ledger ??= PostgresBlockRunLedger.open(queue.metadataUrl, queue.schema))) : undefined;
  return {
    project,
    store,
    connectors,
    runners,
    blockExecutor,
    outputs: createOutputStore(project),
    fleet,
    reaped,
    dataPlane() {
      dataPlane ??= createDataPlane(project);
      return dataPlane;
    },
    async close() {
      if ('close' in blockExecutor) await blockExecutor.close();
      if (ledger) await (await ledger.catch(() => undefined))?.close();
      if (dataPlane) await (await dataPlane).close();
      await store.close();
    },
  };
}

/** The project's DuckDB data plane, loaded on first use; for a command that needs no run store (validate). */
export async function createDataPlane(project: Project): Promise<DataPlane> {
  const { createDuckDbDataPlane } = await import('../core/data-plane/duckdb-data-plane.ts');
  return createDuckDbDataPlane({
    tempDir: path.join(project.stateDir, 'spill', String(process.pid)),
    memoryLimit: project.settings.data_plane.memory_limit,
    threads: project.settings.data_plane.threads,
    fileSearchPath: project.root,
  });
}

/** What a run needs of the engine, with the reporter that shows it (if any). */
export async function runDependencies(engine: Engine, reporter?: RunReporter): Promise<RunDependencies> {
  const { project, store, connectors, runners, blockExecutor, outputs } = engine;
  return { project, store, dataPlane: await engine.dataPlane(), connectors, runners, executor: blockExecutor, outputs, reporter };
}

/** Where sluice.yaml's `queue:` and the PostgreSQL metadata it needs are, with `${ENV}` filled in; undefined without a queue. */
export interface QueueConfig extends QueueSettings {
  readonly metadataUrl: string;
  readonly schema: string;
}

export function queueSettingsOf(project: Project): QueueConfig | undefined {
  const { queue, metadata } = project.settings;
  if (!queue) return undefined;
  if (metadata.type !== 'postgres') {
    throw new ConfigError(
      'queue.needs_postgres',
      "sluice.yaml sets queue:, which needs PostgreSQL metadata (metadata: { type: postgres, url: ... }): the queue only carries wake-ups, PostgreSQL keeps the truth of each block run",
      { location: { file: 'sluice.yaml' } },
    );
  }
  const { url } = resolveConnectionSettings({ name: 'queue', connector: 'redis', settings: { url: queue.url }, declaredAt: { file: 'sluice.yaml' } }) as { url: string };
  return { url, prefix: queue.prefix, metadataUrl: metadataUrlOf(metadata.url), schema: metadata.schema };
}

function metadataUrlOf(url: string): string {
  return (resolveConnectionSettings({ name: 'metadata', connector: 'postgres', settings: { url }, declaredAt: { file: 'sluice.yaml' } }) as { url: string }).url;
}

/** Opens the ledger, the queue and the executor over them. */
async function openQueueExecutor(config: QueueConfig): Promise<Executor & { close(): Promise<void> }> {
  const ledger = await PostgresBlockRunLedger.open(config.metadataUrl, config.schema);
  const queue = await openBlockRunQueue(config);
  const executor = await createQueueExecutor({ ledger, queue });
  return {
    execute: (request) => executor.execute(request),
    async close() {
      await executor.close();
      await queue.close();
      await ledger.close();
    },
  };
}

/**
 * The run store sluice.yaml names when there is one to read, for what runs
 * recorded (the tables TypeScript blocks wrote, which `validate` checks for
 * two writers). A project never run has no SQLite store and gets none made; a
 * PostgreSQL store out of reach is left out, as the files alone still say most.
 */
export async function openRecordedRunStore(project: Project): Promise<RunStore | undefined> {
  const metadata = project.settings.metadata;
  if (metadata.type === 'sqlite' && !existsSync(path.resolve(project.root, metadata.path))) return undefined;
  return openRunStore(project).catch(() => undefined);
}

/** The run store sluice.yaml names: SQLite in the project, or PostgreSQL (its URL may read ${ENV}). */
export async function openRunStore(project: Project): Promise<RunStore> {
  const metadata = project.settings.metadata;
  switch (metadata.type) {
    case 'sqlite':
      return new SqliteRunStore(path.resolve(project.root, metadata.path));
    case 'postgres': {
      const url = metadataUrlOf(metadata.url);
      try {
        const { PostgresRunStore } = await import('../core/run-store/postgres-run-store.ts');
        return await PostgresRunStore.open(url, { schema: metadata.schema });
      } catch (error) {
        throw new ConfigError('metadata.unreachable', mask(`cannot open the PostgreSQL run store named in sluice.yaml: ${(error as Error).message}`), { cause: error, location: { file: 'sluice.yaml' } });
      }
    }
  }
}
