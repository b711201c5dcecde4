import type { StreamTrigger } from '../core/pipeline/pipeline-schema.ts';
import type { CommittedTotals } from '../streaming/index.ts';

/** One thing a streaming pipeline did that a batch pipeline's `on_stream` trigger runs on. */
export interface StreamEvent {
  /** Unique per event and batch pipeline: the run store creates one run per key, so the event fires once however often it is seen. */
  readonly key: string;
  readonly detail: string;
  readonly variables: Readonly<Record<string, string | number>>;
}

/**
 * The events a trigger is owed by a stream's committed totals. The totals
 * are counts the stream commits with its rows, so they only grow and a key
 * built from one never comes back: a window-closed event is keyed by the
 * count of windows closed, a records event by the multiple of N passed.
 * Several windows closing between two looks make one event, for the latest.
 */
export function streamEvents(pipeline: string, trigger: StreamTrigger, totals: CommittedTotals | undefined): StreamEvent[] {
  if (!totals) return [];
  const events: StreamEvent[] = [];
  const prefix = `stream:${pipeline}:${trigger.pipeline}`;
  if (trigger.window_closed && totals.windowsClosed) {
    events.push({
      key: `${prefix}:window:${totals.windowsClosed}`,
      detail: `${trigger.pipeline} window ${totals.lastWindowEnd ?? totals.windowsClosed} closed`,
      variables: { trigger_stream: trigger.pipeline, trigger_windows_closed: totals.windowsClosed, ...(totals.lastWindowEnd ? { trigger_window_end: totals.lastWindowEnd } : {}) },
    });
  }
  if (trigger.every_records !== undefined) {
    const passed = Math.floor(totals.messages / trigger.every_records) * trigger.every_records;
    if (passed > 0) events.push({ key: `${prefix}:records:${passed}`, detail: `${trigger.pipeline} passed ${passed} records`, variables: { trigger_stream: trigger.pipeline, trigger_records: passed } });
  }
  return events;
}
