/** Spans of time as ISO timestamps, as the run store keeps a block run's start and end. */
export interface TimeSpan {
  readonly startedAt?: string | undefined;
  readonly endedAt?: string | undefined;
}

/** The most spans that share one moment (an end and a start at the same instant do not overlap). */
export function mostAtOnce(spans: readonly TimeSpan[]): number {
  const edges = spans
    .filter((s) => s.startedAt && s.endedAt)
    .flatMap((s) => [
      { at: Date.parse(s.startedAt!), step: 1 },
      { at: Date.parse(s.endedAt!), step: -1 },
    ]);
  edges.sort((a, b) => a.at - b.at || a.step - b.step);
  let now = 0;
  let most = 0;
  for (const edge of edges) most = Math.max(most, (now += edge.step));
  return most;
}
