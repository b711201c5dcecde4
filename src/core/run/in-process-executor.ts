import { createConcurrencyLimit } from './concurrency-limit.ts';
import { executeBlockRun } from './execute-block-run.ts';
import type { Executor } from './executor.ts';

/**
 * Runs block runs in this process, at most `concurrency` at once across every
 * run the process carries (a server or scheduler runs several). A block run
 * waiting for a slot stays pending; a cancelled run's waiters leave the line.
 */
export function createInProcessExecutor(options: { readonly concurrency: number }): Executor & { readonly concurrency: number } {
  const slots = createConcurrencyLimit(options.concurrency);
  return {
    concurrency: options.concurrency,
    async execute({ job, scope, watch, signal }) {
      let release: () => void;
      try {
        release = await slots.acquire(signal);
      } catch {
        const record = { runId: job.runId, block: job.block, status: 'cancelled' as const };
        await scope.store.upsertBlockRun(record);
        return { record };
      }
      try {
        return await executeBlockRun(scope, job, signal, watch);
      } finally {
        release();
      }
    },
  };
}
