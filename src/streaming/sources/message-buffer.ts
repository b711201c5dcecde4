import type { StreamMessage } from '../stream-source.ts';

/**
 * Messages a push-style client delivered and the engine has not pulled yet.
 * Its size is bounded by the broker (which stops at the consumer's in-flight
 * limit), not here.
 */
export class MessageBuffer {
  private readonly queue: StreamMessage[] = [];
  private wake: (() => void) | undefined;
  private failure: Error | undefined;

  push(message: StreamMessage): void {
    this.queue.push(message);
    this.wake?.();
  }

  /** The client stopped delivering: the next pull throws this. */
  fail(error: Error): void {
    this.failure = error;
    this.wake?.();
  }

  /** Up to `max` messages, waiting at most `waitMs` for the first. */
  async pull(max: number, waitMs: number, signal: AbortSignal): Promise<StreamMessage[]> {
    if (!this.queue.length && !this.failure && !signal.aborted && waitMs > 0) {
      await new Promise<void>((resolve) => {
        const done = () => {
          clearTimeout(timer);
          signal.removeEventListener('abort', done);
          this.wake = undefined;
          resolve();
        };
        const timer = setTimeout(done, waitMs);
        signal.addEventListener('abort', done);
        this.wake = done;
      });
    }
    if (this.failure && !this.queue.length) throw this.failure;
    return this.queue.splice(0, max);
  }
}
