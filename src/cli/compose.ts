import path from 'node:path';
import type { ConnectorRegistry } from '../core/connectors/connector.ts';
import { connectors } from '../connectors/registry.ts';
import type { DataPlane } from '../core/data-plane/data-plane.ts';
import type { Project } from '../core/project/load-project.ts';
import type { BlockRunners } from '../core/run/block-runner.ts';
import { runConnectorBlock } from '../core/run/connector-block-runner.ts';
import { runSqlBlock } from '../core/run/sql-block-runner.ts';
import { runTsBlock } from '../core/run/ts-block-runner.ts';
import { createCleanBlockRunner } from '../core/run/clean-block-runner.ts';
import { cleanTools } from '../toolkit/clean-tools.ts';
import { runDedupeBlock } from '../toolkit/dedupe/dedupe-block-runner.ts';
import { runSyncBlock } from '../integration/run-sync-block.ts';
import type { RunRecord, RunStore } from '../core/run-store/run-store.ts';
import { SqliteRunStore } from '../core/run-store/sqlite-run-store.ts';
import { resolveConnectionSettings } from '../core/project/load-project.ts';
import { ConfigError } from '../core/errors.ts';
import { mask } from '../core/project/secrets.ts';
import type { Executor } from '../core/run/executor.ts';
import { createInProcessExecutor } from '../core/run/in-process-executor.ts';
import type { RunDependencies, RunReporter } from '../core/run/run-pipeline.ts';
import type { OutputStore } from '../core/output-store/output-store.ts';
import { createLocalFolderOutputStore } from '../core/output-store/local-folder-output-store.ts';

/** Everything a command needs, built once here: the composition root. */
export interface Engine {
  readonly project: Project;
  readonly store: RunStore;
  readonly connectors: ConnectorRegistry;
  readonly runners: BlockRunners;
  /** Runs block runs in this process, at most the project's `concurrency:` at once across all its runs. */
  readonly blockExecutor: Executor;
  /** Where block outputs are kept and read back. */
  readonly outputs: OutputStore;
  /** Runs this process failed as lost when it opened the run store (their process died). */
  readonly reaped: readonly RunRecord[];
  /** The data plane starts on first use: commands that only read history never load DuckDB. */
  dataPlane(): Promise<DataPlane>;
  close(): Promise<void>;
}

export { connectors };

export const runners = {
  ts: runTsBlock,
  sql: runSqlBlock,
  connector: runConnectorBlock,
  sync: runSyncBlock,
  clean: createCleanBlockRunner(cleanTools),
  dedupe: runDedupeBlock,
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
  return {
    project,
    store,
    connectors,
    runners,
    blockExecutor: createInProcessExecutor({ concurrency: Math.max(project.settings.concurrency, options.concurrency ?? 0) }),
    outputs: createLocalFolderOutputStore(path.join(project.stateDir, 'outputs')),
    reaped,
    dataPlane() {
      dataPlane ??= createDataPlane(project);
      return dataPlane;
    },
    async close() {
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

/** The run store sluice.yaml names: SQLite in the project, or PostgreSQL (its URL may read ${ENV}). */
async function openRunStore(project: Project): Promise<RunStore> {
  const metadata = project.settings.metadata;
  switch (metadata.type) {
    case 'sqlite':
      return new SqliteRunStore(path.resolve(project.root, metadata.path));
    case 'postgres': {
      const { url } = resolveConnectionSettings({ name: 'metadata', connector: 'postgres', settings: { url: metadata.url }, declaredAt: { file: 'sluice.yaml' } }) as { url: string };
      try {
        const { PostgresRunStore } = await import('../core/run-store/postgres-run-store.ts');
        return await PostgresRunStore.open(url, { schema: metadata.schema });
      } catch (error) {
        throw new ConfigError('metadata.unreachable', mask(`cannot open the PostgreSQL run store named in sluice.yaml: ${(error as Error).message}`), { cause: error, location: { file: 'sluice.yaml' } });
      }
    }
  }
}
