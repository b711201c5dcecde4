import type { StreamMessage } from '../stream-source.ts';

/**
 * Messages a push-style client delivered and the engine has not pulled yet.
 * Its size is bounded by the broker (which stops at the consumer's in-flight
 * limit), not here; a message delivered again while it waits replaces its
 * earlier copy, so a long sink outage does not pile up copies.
 */
export class MessageBuffer {
  private readonly queue = new Map<string, StreamMessage>();
  private wake: (() => void) | undefined;
  private failure: Error | undefined;

  push(message: StreamMessage): void {
    // A copy replaces the earlier one in its place: moved behind newer messages, it could land behind a window's watermark.
    this.queue.set(message.id, message);
    this.wake?.();
  }

  /** The client stopped delivering: the next pull throws this. */
  fail(error: Error): void {
    this.failure = error;
    this.wake?.();
  }

  /** Up to `max` messages, waiting at most `waitMs` for the first. */
  async pull(max: number, waitMs: number, signal: AbortSignal): Promise<StreamMessage[]> {
    if (!this.queue.size && !this.failure && !signal.aborted && waitMs > 0) {
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
    if (this.failure && !this.queue.size) throw this.failure;
    const taken: StreamMessage[] = [];
    for (const [id, message] of this.queue) {
      if (taken.length >= max) break;
      taken.push(message);
      this.queue.delete(id);
    }
    return taken;
  }
}
