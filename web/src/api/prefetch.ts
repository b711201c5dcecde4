import { read, type Endpoint } from './client.ts';

const early = new Map<string, Promise<unknown>>();

/**
 * Starts a GET before the component that needs it is drawn: the first page
 * asks for its data while the sign-in check is still on the wire, so the two
 * round trips overlap instead of following each other.
 */
export function prefetch(target: Endpoint<unknown>): void {
  if (early.has(target.url)) return;
  const answer = read(target);
  // A failure is the component's to show when it takes the answer; none here.
  answer.catch(() => undefined);
  early.set(target.url, answer);
}

/** The prefetched answer for `target`, once: later reads ask the server again. */
export function takePrefetched<T>(target: Endpoint<T>): Promise<T> | undefined {
  const answer = early.get(target.url) as Promise<T> | undefined;
  early.delete(target.url);
  return answer;
}
