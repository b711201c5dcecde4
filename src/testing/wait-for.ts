import { setTimeout as sleep } from 'node:timers/promises';

export interface WaitForOptions {
  /** What the wait is for, in words: the error names it when the deadline passes. */
  readonly what: string;
  /** Milliseconds before giving up. Generous on purpose: a loaded machine is slow, a passing test still returns as soon as the state holds. */
  readonly timeout?: number;
  /** Milliseconds between checks. */
  readonly every?: number;
  /** Gives up early, with this reason, when it returns one (a process that exited will never print the line). */
  readonly giveUpWhen?: () => string | undefined;
}

/** What a check returns once the state holds: anything but a falsy value. */
export type Truthy<T> = Exclude<T, false | 0 | '' | null | undefined>;

/**
 * Polls `check` until it returns a truthy value, and returns that value.
 * Tests wait on state this way instead of sleeping for a fixed time, which
 * flakes under load and wastes time when idle. A check that throws is tried
 * again; its last error is reported if the deadline passes.
 *
 * @example
 * const run = await waitFor(async () => (await store.getRun(id))?.status === 'running' && id, { what: `run ${id} running` });
 */
export async function waitFor<T>(check: () => T | Promise<T>, options: WaitForOptions): Promise<Truthy<T>> {
  const timeout = options.timeout ?? 120_000;
  const deadline = Date.now() + timeout;
  let last: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value) return value as Truthy<T>;
      last = undefined;
    } catch (error) {
      last = error;
    }
    const gaveUp = options.giveUpWhen?.();
    if (gaveUp) throw new Error(`gave up waiting for ${options.what}: ${gaveUp}`, { cause: last });
    if (Date.now() > deadline) {
      const detail = last instanceof Error ? `; the last check failed with: ${last.message}` : '';
      throw new Error(`timed out after ${timeout / 1000} s waiting for ${options.what}${detail}`, { cause: last });
    }
    await sleep(options.every ?? 50);
  }
}
