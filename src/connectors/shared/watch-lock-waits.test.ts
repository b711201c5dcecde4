import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createLogger } from '../../core/run/logger.ts';
import { watchLockWaits, type LockWait } from './watch-lock-waits.ts';

/** Feeds the watcher one answer per poll and resolves once it has asked for all of them. */
function scripted(answers: readonly (readonly LockWait[])[]): { probe: () => Promise<readonly LockWait[]>; done: Promise<void> } {
  let polls = 0;
  let finish!: () => void;
  const done = new Promise<void>((resolve) => (finish = resolve));
  return {
    probe: async () => {
      const answer = answers[polls++] ?? [];
      if (polls === answers.length + 1) finish();
      return answer;
    },
    done,
  };
}

const wait = (waitedMs: number, holder: number, since: number): LockWait => ({
  lock: 'AccessExclusiveLock on table sales.orders',
  blockers: [`session ${holder} (user bob, idle in transaction for ${since} s)`],
  holderIds: [holder],
  waitedMs,
});

/** The watcher's timer does not hold the process open (a write does); the test holds it while it waits. */
async function held<T>(work: Promise<T>): Promise<T> {
  const keep = setInterval(() => undefined, 60_000);
  try {
    return await work;
  } finally {
    clearInterval(keep);
  }
}

describe('watchLockWaits', () => {
  it('reports a wait once it passes the threshold, once per holder, and again only after the repeat interval', async () => {
    const warnings: string[] = [];
    const logger = createLogger((level, message) => level === 'warn' && warnings.push(message));
    const { probe, done } = scripted([[wait(1_000, 7, 10)], [wait(5_200, 7, 14)], [wait(6_200, 7, 15)], [wait(7_200, 8, 16)], [wait(38_000, 8, 47)]]);
    const stop = watchLockWaits(probe, logger, { afterMs: 5_000, everyMs: 1, repeatMs: 30_000 });
    await held(done);
    stop();
    assert.deepEqual(warnings, [
      'waiting 5.2s for AccessExclusiveLock on table sales.orders, held by session 7 (user bob, idle in transaction for 14 s)',
      'waiting 7.2s for AccessExclusiveLock on table sales.orders, held by session 8 (user bob, idle in transaction for 16 s)',
      'waiting 38s for AccessExclusiveLock on table sales.orders, held by session 8 (user bob, idle in transaction for 47 s)',
    ]);
  });

  it('keeps the write going when the probe fails', async () => {
    const warnings: string[] = [];
    let calls = 0;
    let settle!: () => void;
    const twice = new Promise<void>((resolve) => (settle = resolve));
    const stop = watchLockWaits(
      async () => {
        if (++calls === 2) settle();
        throw new Error('permission denied for pg_locks');
      },
      createLogger((_, m) => warnings.push(m)),
      { everyMs: 1 },
    );
    await held(twice);
    stop();
    assert.deepEqual(warnings, []);
  });
});
