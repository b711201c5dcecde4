import { setTimeout as sleep } from 'node:timers/promises';

/** Spaces requests so that at most `perSecond` start in any second. */
export interface RateLimiter {
  /** Resolves when the next request may start; rejects when `signal` aborts first. */
  wait(signal: AbortSignal): Promise<void>;
}

export function createRateLimiter(perSecond: number | undefined): RateLimiter {
  if (!perSecond) return { wait: async (signal) => signal.throwIfAborted() };
  const spacing = 1000 / perSecond;
  let next = 0;
  return {
    async wait(signal) {
      const now = performance.now();
      // Claimed before sleeping, so concurrent callers queue behind each other.
      const at = Math.max(now, next);
      next = at + spacing;
      if (at > now) await sleep(at - now, undefined, { signal });
      signal.throwIfAborted();
    },
  };
}
