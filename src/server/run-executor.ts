import { alertRun } from '../alerts/alert-run.ts';
import type { ConnectorRegistry } from '../core/connectors/connector.ts';
import type { DataPlane } from '../core/data-plane/data-plane.ts';
import { toSluiceError } from '../core/errors.ts';
import type { Pipeline } from '../core/pipeline/pipeline.ts';
import type { DataInterval } from '../core/pipeline/schedule.ts';
import { loadProject } from '../core/project/load-project.ts';
import type { BlockRunners } from '../core/run/block-runner.ts';
import type { Executor } from '../core/run/executor.ts';
import type { OutputStore } from '../core/output-store/output-store.ts';
import { runPipeline, type RunLoopStore, type RunResult } from '../core/run/run-pipeline.ts';
import type { RunRecord } from '../core/run-store/run-history.ts';
import type { RunPlan } from './app-context.ts';

export interface RunExecutorDependencies {
  readonly root: string;
  readonly store: RunLoopStore;
  readonly connectors: ConnectorRegistry;
  readonly runners: BlockRunners;
  /** Where block runs execute, shared by every run of this process (its concurrency is the process's). */
  readonly blockExecutor: Executor;
  readonly outputs: OutputStore;
  readonly dataPlane: () => Promise<DataPlane>;
  readonly heartbeat: { readonly owner: string; readonly leaseMs: number };
  readonly onFinished?: (pipeline: Pipeline, result: RunResult) => void;
  readonly onError?: (runId: string, error: Error) => void;
}

/**
 * Runs the API's runs in this process. The project is read again for every
 * run, so connections and secrets added in the UI since the start are used.
 * A run that cannot start (a bad connection file) is recorded failed, never
 * left running.
 */
export function createRunExecutor(deps: RunExecutorDependencies): {
  execute: (pipeline: Pipeline, run: RunRecord, plan: RunPlan & { interval?: DataInterval | undefined }) => void;
  abort: (runId: string) => void;
  settled: () => Promise<void>;
} {
  const controllers = new Map<string, AbortController>();
  const running = new Set<Promise<void>>();
  const execute = (pipeline: Pipeline, run: RunRecord, plan: RunPlan & { interval?: DataInterval | undefined }): void => {
    const controller = new AbortController();
    controllers.set(run.id, controller);
    const work = (async () => {
      try {
        const project = loadProject(deps.root);
        const result = await runPipeline(
          { project, store: deps.store, dataPlane: await deps.dataPlane(), connectors: deps.connectors, runners: deps.runners, executor: deps.blockExecutor, outputs: deps.outputs },
          pipeline,
          {
          existingRunId: run.id,
          logicalDate: run.logicalDate,
          dataInterval: plan.interval,
          variables: run.variables as Record<string, string | number | boolean>,
          heartbeat: deps.heartbeat,
          signal: controller.signal,
          ...(plan.only ? { only: plan.only } : {}),
          ...(plan.reuseOutputsOf ? { reuseOutputsOf: plan.reuseOutputsOf } : {}),
        });
        await alertRun(deps.store, pipeline, result, { project }).catch(() => []);
        deps.onFinished?.(pipeline, result);
      } catch (error) {
        const current = await deps.store.getRun(run.id);
        if (current?.status === 'running' || current?.status === 'queued') await deps.store.finishRun(run.id, 'failed', toSluiceError(error).toJSON());
        deps.onError?.(run.id, error as Error);
      } finally {
        controllers.delete(run.id);
      }
    })();
    running.add(work);
    void work.finally(() => running.delete(work));
  };
  return {
    execute,
    abort: (runId) => controllers.get(runId)?.abort(),
    settled: async () => {
      await Promise.allSettled([...running]);
    },
  };
}
