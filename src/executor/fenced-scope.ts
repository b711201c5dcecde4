import { rmSync } from 'node:fs';
import { SluiceError } from '../core/errors.ts';
import type { OutputStore } from '../core/output-store/output-store.ts';
import type { BlockRunRecord, RunHistory } from '../core/run-store/run-history.ts';
import type { BlockRunClaim, BlockRunLedger } from './block-run-ledger.ts';

/** The error a write gets once a later claim took its block run: the worker stops, the write is not made. */
export function fencedOff(claim: BlockRunClaim, what: string): SluiceError {
  return new SluiceError(
    'worker.fenced_off',
    `refused to write ${what} of block '${claim.block}' in run ${claim.runId}: this worker's claim (fencing token ${claim.token}) lapsed and a later claim took the block run`,
  );
}

const ended = new Set<BlockRunRecord['status']>(['succeeded', 'failed', 'cancelled', 'skipped']);

/**
 * The run store as one claim sees it: every write (block-run status, logs,
 * check results, profiles, metrics) goes through only while the claim's
 * fencing token is still the block run's, and the final status commits the
 * claim first, so a worker paused past its lease cannot overwrite the block
 * run another worker took over. `surelyHeld` spares the ledger a question
 * while the lease last confirmed cannot have lapsed (see `createLeaseClock`).
 */
export function fenceRunStore<Store extends Pick<RunHistory, 'upsertBlockRun'>>(store: Store, ledger: BlockRunLedger, claim: BlockRunClaim, onFenced: () => void, surelyHeld: () => boolean = () => false): Store {
  const guard = async (what: string, commit: boolean): Promise<void> => {
    const ok = commit ? await ledger.commit(claim) : surelyHeld() || (await ledger.holds(claim));
    if (ok) return;
    onFenced();
    throw fencedOff(claim, what);
  };
  return new Proxy(store, {
    get(target, property, receiver) {
      const value: unknown = Reflect.get(target, property, receiver);
      if (typeof value !== 'function') return value;
      const name = String(property);
      if (name === 'upsertBlockRun') {
        return async (record: BlockRunRecord) => {
          await guard(`the status '${record.status}'`, ended.has(record.status));
          // The ledger's answer may be stale by the time the write lands (a pause right between them):
          // the store compares the token again as part of the write.
          try {
            return await store.upsertBlockRun(record, claim.token);
          } catch (error) {
            if (!(error instanceof SluiceError) || error.code !== 'run_store.stale_claim') throw error;
            onFenced();
            throw fencedOff(claim, `the status '${record.status}'`);
          }
        };
      }
      if (/^(put|append|mark)/.test(name)) {
        return async (...args: unknown[]) => {
          await guard(name.replace(/^(put|append|mark)/, '').toLowerCase() || name, false);
          return (value as (...a: unknown[]) => unknown).apply(target, args);
        };
      }
      return (value as (...a: unknown[]) => unknown).bind(target);
    },
  });
}

/**
 * The output store as one claim sees it: each claim stages its output apart
 * (so two workers never write the same file), and keeping it commits the
 * claim; a claim that lapsed has its staged file removed instead.
 */
export function fenceOutputStore(outputs: OutputStore, ledger: BlockRunLedger, claim: BlockRunClaim, onFenced: () => void): OutputStore {
  // Where this claim staged its outputs: removed when the claim lapses or its output is removed.
  const stagedByClaim = new Set<string>();
  const removeStaged = (): void => {
    for (const staged of stagedByClaim) rmSync(staged, { recursive: true, force: true });
    stagedByClaim.clear();
  };
  return {
    location: (ref) => outputs.location(ref),
    exists: (location) => outputs.exists(location),
    read: (location) => outputs.read(location),
    release: (file) => outputs.release(file),
    stagingPath(location, scratchDir) {
      // Even a scratch folder is shared by two claims of one block run on one machine.
      const staged = `${outputs.stagingPath(location, scratchDir).replace(/\.parquet$/, '')}.claim-${claim.token}.parquet`;
      stagedByClaim.add(staged);
      return staged;
    },
    async write(location, staged) {
      if (!(await ledger.commit(claim))) {
        rmSync(staged, { recursive: true, force: true });
        onFenced();
        throw fencedOff(claim, 'the output');
      }
      await outputs.write(location, staged);
      stagedByClaim.delete(staged);
    },
    async delete(location) {
      removeStaged();
      if (!(await ledger.holds(claim))) {
        onFenced();
        throw fencedOff(claim, 'a removal of the output');
      }
      await outputs.delete(location);
    },
    async writeFile(ref, name, contents) {
      // A lapsed claim's run may already belong to another worker, whose files these would overwrite.
      if (!(await ledger.holds(claim))) {
        onFenced();
        throw fencedOff(claim, `the file '${name}'`);
      }
      await outputs.writeFile(ref, name, contents);
    },
    readFiles: (ref) => outputs.readFiles(ref),
  };
}

/**
 * Says whether a claim is surely still held, from this process's monotonic
 * clock alone: for half the lease after the ledger last confirmed it (timed
 * from when the confirming statement was sent), no later claim can exist. A
 * process paused past that sees the time jump and asks the ledger again.
 */
export function createLeaseClock(leaseMs: number): { confirmed(sentAt: number): void; surelyHeld(): boolean } {
  let safeUntil = -Infinity;
  return {
    confirmed(sentAt) {
      safeUntil = Math.max(safeUntil, sentAt + leaseMs / 2);
    },
    surelyHeld: () => performance.now() < safeUntil,
  };
}
