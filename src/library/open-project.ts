import { alertRun } from '../alerts/alert-run.ts';
import { SluiceError } from '../core/errors.ts';
import { listPipelines, loadPipeline } from '../core/pipeline/load-pipeline.ts';
import { loadProject } from '../core/project/load-project.ts';
import { intervalForDate } from '../core/run/logical-date.ts';
import { runPipeline as runPipelineOnce } from '../core/run/run-pipeline.ts';
import { createEngine, runDependencies, type Engine } from '../engine/create-engine.ts';
import { runHeartbeat } from '../engine/run-heartbeat.ts';
import { toPipelineRunResult, type PipelineRunResult } from './pipeline-run-result.ts';

export interface OpenProjectOptions {
  /** Block runs at once in this process, when more than sluice.yaml's `concurrency:`. */
  readonly concurrency?: number | undefined;
}

export interface RunPipelineOptions {
  /** The logical date of the run: `YYYY-MM-DD`, or an ISO time for intervals shorter than a day. */
  readonly logicalDate?: string | undefined;
  /** Values for the pipeline's `variables:`; they override its defaults. */
  readonly variables?: Readonly<Record<string, string | number | boolean>> | undefined;
  /** Aborting it cancels the run: blocks under way stop, and the result says `cancelled`. */
  readonly signal?: AbortSignal | undefined;
}

/** A Sluice project opened by a program: run its pipelines, then close it. */
export interface SluiceProject {
  /** The folder holding sluice.yaml. */
  readonly root: string;
  /** The project's `name:` in sluice.yaml. */
  readonly name: string;
  /** Names of the project's pipelines (`pipelines/*.yaml`), sorted. */
  listPipelines(): string[];
  /**
   * Runs a pipeline once and resolves with what it did, failed or not. Throws a
   * ConfigError when the run cannot start (no such pipeline, a broken file).
   */
  runPipeline(name: string, options?: RunPipelineOptions): Promise<PipelineRunResult>;
  /** Closes the run store and the data plane; wait for running pipelines first. */
  close(): Promise<void>;
}

/**
 * Opens the project in `dir` (or the nearest folder above it holding
 * sluice.yaml) with the stores sluice.yaml names: by default SQLite run
 * history and a DuckDB data plane in the project's `.sluice/` folder, or the
 * PostgreSQL run store of `metadata:`. No CLI or server is involved.
 * @example
 * import { openProject } from 'sluice';
 * const project = await openProject('./shop');
 * try {
 *   const run = await project.runPipeline('daily_sales', { logicalDate: '2026-12-01' });
 *   if (run.status !== 'succeeded') throw run.error;
 * } finally {
 *   await project.close();
 * }
 */
export async function openProject(dir: string, options: OpenProjectOptions = {}): Promise<SluiceProject> {
  const project = loadProject(dir);
  const engine = await createEngine(project, { concurrency: options.concurrency });
  let closing: Promise<void> | undefined;
  const whileOpen = (): void => {
    if (closing) throw new SluiceError('project.closed', `the project at ${project.root} is closed; open it again with openProject()`, { kind: 'usage' });
  };
  return {
    root: project.root,
    name: project.name,
    listPipelines() {
      whileOpen();
      return listPipelines(project.root);
    },
    async runPipeline(name, runOptions = {}) {
      whileOpen();
      return runOnce(engine, name, runOptions);
    },
    close() {
      closing ??= engine.close();
      return closing;
    },
  };
}

async function runOnce(engine: Engine, name: string, options: RunPipelineOptions): Promise<PipelineRunResult> {
  const { project } = engine;
  const pipeline = loadPipeline(project.root, name);
  const dated = options.logicalDate !== undefined ? intervalForDate(pipeline, options.logicalDate) : undefined;
  const run = await runPipelineOnce(await runDependencies(engine), pipeline, {
    variables: options.variables,
    logicalDate: dated?.logicalDate,
    dataInterval: dated?.interval,
    trigger: 'library',
    signal: options.signal,
    heartbeat: runHeartbeat('library'),
  });
  // A run started from a program alerts like one started from the command line; an alert never changes the outcome.
  const alerts = await alertRun(engine.store, pipeline, run, { project });
  return toPipelineRunResult(pipeline, run, {
    logicalDate: dated?.logicalDate,
    alerts,
    warnings: [...(project.warnings ?? []), ...(pipeline.warnings ?? [])],
  });
}
