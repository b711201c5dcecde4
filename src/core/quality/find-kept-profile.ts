import type { QualityStore } from '../run-store/quality-store.ts';
import type { RunHistory } from '../run-store/run-history.ts';
import type { OutputProfile } from './profile-output.ts';

/**
 * The profile a block of run `runId` kept for the output stored at
 * `location`, if one did: a block that hands an input on as its own output
 * (an exporter) shares that file, and so its profile, with the block that
 * wrote it. An output from an earlier run, or one never profiled, gives undefined.
 */
export async function findKeptProfile(
  store: Pick<RunHistory, 'listBlockRuns'> & Pick<QualityStore, 'getProfile'>,
  runId: string,
  location: string,
): Promise<OutputProfile | undefined> {
  const writer = (await store.listBlockRuns(runId)).find((r) => r.status === 'succeeded' && r.output === location);
  return writer && (await store.getProfile(runId, writer.block))?.profile;
}
