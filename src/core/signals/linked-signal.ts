/** A signal that aborts when any parent does or its own timer runs out; `dispose` detaches it. */
export interface LinkedSignal {
  readonly signal: AbortSignal;
  /** Clears the timer and removes the listeners from the parents; call it when the work ends. */
  dispose(): void;
}

/**
 * Combines parents and an optional timeout into one signal that garbage
 * collection cannot silence. `AbortSignal.any` holds its result weakly and
 * `AbortSignal.timeout` keeps no strong reference to its timer's signal, so
 * after a full collection such a chain may never fire (a block's timeout
 * stopped working). Here the parents' listeners and our own timer hold the
 * controller strongly until `dispose`.
 */
export function linkSignals(parents: readonly (AbortSignal | undefined)[], timeoutMs?: number): LinkedSignal {
  const controller = new AbortController();
  const live = parents.filter((p): p is AbortSignal => p !== undefined);
  const detach: (() => void)[] = [];
  let timer: NodeJS.Timeout | undefined;
  const dispose = (): void => {
    if (timer) clearTimeout(timer);
    timer = undefined;
    for (const remove of detach.splice(0)) remove();
  };
  const abort = (reason: unknown): void => {
    dispose();
    if (!controller.signal.aborted) controller.abort(reason);
  };
  for (const parent of live) {
    if (parent.aborted) {
      abort(parent.reason);
      return { signal: controller.signal, dispose };
    }
    const onAbort = (): void => abort(parent.reason);
    parent.addEventListener('abort', onAbort, { once: true });
    detach.push(() => parent.removeEventListener('abort', onAbort));
  }
  if (timeoutMs !== undefined) {
    timer = setTimeout(() => abort(new DOMException(`timed out after ${timeoutMs}ms`, 'TimeoutError')), timeoutMs);
  }
  return { signal: controller.signal, dispose };
}
