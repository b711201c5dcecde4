/**
 * Every kind of thing that starts a run. A run's `trigger` is its kind,
 * optionally followed by a detail: `ui:blocks` (some blocks run from the
 * editor), `retry of 20261206-...` (a retry names the run it retries).
 * Adding a way to start runs adds a kind here, so the runs list can filter by it.
 */
export const triggerKinds = ['manual', 'cli', 'library', 'ui', 'api', 'schedule', 'file', 'stream', 'backfill', 'retry', 'test'] as const;
export type TriggerKind = (typeof triggerKinds)[number];

/** What a run records as its trigger: a kind, some blocks started by hand, or a retry of a run. */
export type RunTrigger = TriggerKind | `${'ui' | 'api'}:blocks` | `retry of ${string}`;

/** The trigger of a run of only some blocks, e.g. `ui:blocks`. */
export const blocksTrigger = (kind: 'ui' | 'api'): RunTrigger => `${kind}:blocks`;

/** A retry's trigger names the run it retries. */
export const retryTrigger = (runId: string): RunTrigger => `retry of ${runId}`;

/** True for runs of only the blocks someone picked, whose list row names them. */
export function isBlocksTrigger(trigger: string): boolean {
  return trigger.endsWith(':blocks');
}

/** The kind a stored trigger belongs to: its first word (`ui:blocks` is `ui`, `retry of x` is `retry`). */
export function triggerKindOf(trigger: string): string {
  return /^[^: ]*/.exec(trigger)![0];
}

export function isTriggerKind(text: string): text is TriggerKind {
  return (triggerKinds as readonly string[]).includes(text);
}
