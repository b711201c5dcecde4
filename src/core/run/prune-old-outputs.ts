import type { OutputStore } from '../output-store/output-store.ts';
import type { Project } from '../project/load-project.ts';
import type { RunHistory } from '../run-store/run-history.ts';
import { deleteLegacyRunFiles } from './run-files.ts';

/**
 * Removes the outputs of the pipeline's runs beyond the project's
 * `keep_runs`, and records them as pruned. Only runs not pruned before are
 * listed: a backfill of N dates prunes N runs in all, not N² / 2 (each with a
 * listing in S3).
 */
export async function pruneOldOutputs(store: Pick<RunHistory, 'runsBeyond' | 'recordOutputsPruned'>, outputs: OutputStore, project: Project, pipeline: string): Promise<void> {
  const old = await store.runsBeyond(pipeline, project.settings.data_plane.keep_runs);
  for (const runId of old) {
    await outputs.delete(outputs.location({ pipeline, runId }));
    deleteLegacyRunFiles(project.stateDir, pipeline, runId);
  }
  await store.recordOutputsPruned(old);
}
