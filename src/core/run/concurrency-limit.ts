/**
 * At most `limit` holders at once; the others wait in arrival order. A waiter
 * whose signal aborts leaves the line without taking a slot.
 */
export interface ConcurrencyLimit {
  acquire(signal?: AbortSignal): Promise<() => void>;
  readonly limit: number;
  readonly active: number;
}

export function createConcurrencyLimit(limit: number): ConcurrencyLimit {
  if (!Number.isInteger(limit) || limit < 1) throw new RangeError(`a concurrency limit is a whole number of at least 1; got ${limit}`);
  let active = 0;
  const waiting: (() => void)[] = [];
  const grant = (): (() => void) => {
    active++;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      active--;
      waiting.shift()?.();
    };
  };
  return {
    limit,
    get active() {
      return active;
    },
    acquire(signal) {
      if (signal?.aborted) return Promise.reject(signal.reason);
      if (active < limit) return Promise.resolve(grant());
      return new Promise((resolve, reject) => {
        const turn = (): void => {
          signal?.removeEventListener('abort', leave);
          resolve(grant());
        };
        const leave = (): void => {
          const at = waiting.indexOf(turn);
          if (at >= 0) waiting.splice(at, 1);
          reject(signal!.reason);
        };
        waiting.push(turn);
        signal?.addEventListener('abort', leave, { once: true });
      });
    },
  };
}
