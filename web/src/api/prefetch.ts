import { api } from './client.ts';

const early = new Map<string, Promise<unknown>>();

/**
 * Starts a GET before the component that needs it is drawn: the first page
 * asks for its data while the sign-in check is still on the wire, so the two
 * round trips overlap instead of following each other.
 */
export function prefetch(route: string): void {
  if (early.has(route)) return;
  const answer = api('GET', route);
  // A failure is the component's to show when it takes the answer; none here.
  answer.catch(() => undefined);
  early.set(route, answer);
}

/** The prefetched answer for `route`, once: later reads ask the server again. */
export function takePrefetched<T>(route: string): Promise<T> | undefined {
  const answer = early.get(route) as Promise<T> | undefined;
  early.delete(route);
  return answer;
}
