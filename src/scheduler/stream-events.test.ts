import assert from 'node:assert/strict';
import { test } from 'node:test';
import { streamTriggerSchema } from '../core/pipeline/pipeline-schema.ts';
import { streamEvents } from './stream-events.ts';

const trigger = (t: Record<string, unknown>) => streamTriggerSchema.parse({ pipeline: 'live', ...t });

test('a window-closed event is keyed by the count of windows closed, and names the latest window end', () => {
  const events = streamEvents('report', trigger({ window_closed: true }), { records: 10, messages: 40, windowsClosed: 3, lastWindowEnd: '2026-01-01T00:00:30.000Z' });
  assert.deepEqual(events, [
    { key: 'stream:report:live:window:3', detail: 'live window 2026-01-01T00:00:30.000Z closed', variables: { trigger_stream: 'live', trigger_windows_closed: 3, trigger_window_end: '2026-01-01T00:00:30.000Z' } },
  ]);
});

test('a records event is keyed by the last multiple of N the committed messages passed', () => {
  const every = trigger({ every_records: 25 });
  assert.deepEqual(streamEvents('report', every, { records: 0, messages: 24 }), []);
  assert.deepEqual(streamEvents('report', every, { records: 0, messages: 74 }).map((e) => [e.key, e.variables.trigger_records]), [['stream:report:live:records:50', 50]]);
});

test('no totals, or no window closed yet, owe nothing', () => {
  assert.deepEqual(streamEvents('report', trigger({ window_closed: true, every_records: 5 }), undefined), []);
  assert.deepEqual(streamEvents('report', trigger({ window_closed: true }), { records: 0, messages: 3, windowsClosed: 0 }), []);
});
