import assert from 'node:assert/strict';
import { test } from 'node:test';
import { streamingFileSchema, type WindowSettings } from '../../core/pipeline/streaming-schema.ts';
import { WindowAggregator, windowStarts, type WindowState } from './window-aggregator.ts';

const base = { kind: 'streaming', source: { type: 'redis_streams', stream: 's' }, sinks: [{ connection: 'pg', table: 't' }] };

function settings(window: Record<string, unknown>, sinks?: unknown[]): WindowSettings {
  return streamingFileSchema.parse({ ...base, ...(sinks ? { sinks } : {}), window }).window!;
}

const t = (seconds: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, seconds)).toISOString();
const at = (seconds: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, seconds));
const input = (id: string, ...rows: Record<string, unknown>[]) => ({ id, rows });

/** Runs batches through an aggregator, carrying the state as a sink would (through JSON, as stored). */
function run(agg: WindowAggregator, batches: ReturnType<typeof input>[][]) {
  let state: WindowState | undefined;
  const rows: Record<string, unknown>[] = [];
  const late: string[] = [];
  for (const batch of batches) {
    const step = agg.step(state, batch);
    state = JSON.parse(JSON.stringify(step.state)) as WindowState;
    rows.push(...step.rows);
    late.push(...step.late.map((l) => `${l.messageId}#${l.index}`));
  }
  return { rows, late, state: state! };
}

test('hopping windows hold an event in each window that covers it', () => {
  assert.deepEqual(windowStarts(25_000, 20_000, 10_000), [10_000, 20_000]);
  assert.deepEqual(windowStarts(20_000, 10_000, 10_000), [20_000]);
  assert.deepEqual(windowStarts(-1, 10_000, 10_000), [-10_000]);
});

test('a tumbling window is emitted once the watermark passes its end, with count, sum, min, max and avg per group', () => {
  const agg = new WindowAggregator(settings({ type: 'tumbling', time: 'ts', size: '10s', watermark_delay: '2s', group_by: 'device', aggregates: { n: 'count', total: 'sum(v)', lo: 'min(v)', hi: 'max(v)', mean: 'avg(v)', seen: 'count(v)' } }));
  const { rows, state } = run(agg, [
    [input('1', { ts: t(1), device: 'a', v: 2 }), input('2', { ts: t(3), device: 'a', v: 4 }), input('3', { ts: t(4), device: 'b', v: null })],
    // 11s - 2s = 9s: the first window (0-10s) stays open; an event 3s behind the newest still counts.
    [input('4', { ts: t(11), device: 'a', v: 1 }), input('5', { ts: t(8), device: 'a', v: 10 })],
    [input('6', { ts: t(12), device: 'a', v: 1 })],
  ]);
  assert.deepEqual(rows, [
    { window_start: at(0), window_end: at(10), device: 'a', n: 3, total: 16, lo: 2, hi: 10, mean: 16 / 3, seen: 3 },
    { window_start: at(0), window_end: at(10), device: 'b', n: 1, total: null, lo: null, hi: null, mean: null, seen: 0 },
  ]);
  assert.equal(state.windowsClosed, 1);
  assert.equal(state.lastClosedEnd, at(10).getTime());
  assert.equal(state.open.length, 1);
});

test('allowed lateness keeps a window open past its end; later events go to the late records', () => {
  const agg = new WindowAggregator(settings({ type: 'tumbling', time: 'ts', size: '10s', allowed_lateness: '5s', aggregates: { n: 'count' } }));
  const { rows, late } = run(agg, [
    [input('1', { ts: t(1) }), input('2', { ts: t(14) })],
    [input('3', { ts: t(2) })], // watermark 14 < 10 + 5: still counted
    [input('4', { ts: t(15) })], // watermark 15 >= 15: the first window is emitted with 2
    [input('5', { ts: t(3) }, { ts: t(16) })], // its first record is late, the second counts
  ]);
  assert.deepEqual(rows, [{ window_start: at(0), window_end: at(10), n: 2 }]);
  assert.deepEqual(late, ['5#0']);
});

test('late: update adds a late event to its emitted window and emits the window again, until the retention passes', () => {
  const agg = new WindowAggregator(settings({ type: 'tumbling', time: 'ts', size: '10s', late: 'update', late_retention: '20s', aggregates: { n: 'count', total: 'sum(v)' } }, [{ connection: 'pg', table: 't', mode: 'upsert', key: ['window_start'] }]));
  const { rows, late } = run(agg, [
    [input('1', { ts: t(1), v: 1 }), input('2', { ts: t(10), v: 1 })],
    [input('3', { ts: t(2), v: 5 })],
    [input('4', { ts: t(31), v: 1 })], // the watermark passes 10 + 20: the first window is no longer kept
    [input('5', { ts: t(3), v: 7 })],
  ]);
  assert.deepEqual(rows, [
    { window_start: at(0), window_end: at(10), n: 1, total: 1 },
    { window_start: at(0), window_end: at(10), n: 2, total: 6 },
    { window_start: at(10), window_end: at(20), n: 1, total: 1 },
  ]);
  assert.deepEqual(late, ['5#0']);
});

test('session windows grow with events within the gap, merge when one event bridges two, and close a gap after the last', () => {
  const agg = new WindowAggregator(settings({ type: 'session', time: 'ts', gap: '5s', watermark_delay: '10s', group_by: ['user'], aggregates: { clicks: 'count', first: 'min(ts)' } }));
  const { rows, state } = run(agg, [
    [input('1', { ts: at(0), user: 'u' }), input('2', { ts: at(8), user: 'u' }), input('3', { ts: at(1), user: 'v' })],
    [input('4', { ts: at(4), user: 'u' })], // bridges [0,5) and [8,13)
    [input('5', { ts: at(30), user: 'u' })], // watermark 20 closes u's 0..13 and v's 1..6
  ]);
  assert.deepEqual(rows, [
    { window_start: at(0), window_end: at(13), user: 'u', clicks: 3, first: at(0) },
    { window_start: at(1), window_end: at(6), user: 'v', clicks: 1, first: at(1) },
  ]);
  assert.equal(state.windowsClosed, 2);
  assert.deepEqual(state.open.map((w) => [w.start, w.end]), [[at(30).getTime(), at(35).getTime()]]);
});

test('a record without an event time, or with a sum over text, is named as the problem', () => {
  const agg = new WindowAggregator(settings({ type: 'tumbling', time: 'ts', size: '1m', aggregates: { total: 'sum(v)' } }));
  assert.match(agg.problem({ v: 1 })!, /column ts holds no event time/);
  assert.match(agg.problem({ ts: t(1), v: 'x' })!, /total: sum\(v\) needs a number/);
  assert.equal(agg.problem({ ts: t(1), v: 3 }), undefined);
  assert.equal(agg.problem({ ts: 1_700_000_000_000, v: null }), undefined);
});

test('bad window settings are refused, each naming the setting', () => {
  const issues = (window: Record<string, unknown>, sinks?: unknown[]) => {
    const result = streamingFileSchema.safeParse({ ...base, ...(sinks ? { sinks } : {}), window });
    return result.success ? [] : result.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
  };
  assert.match(issues({ type: 'tumbling', time: 'ts', aggregates: { n: 'count' } }).join(), /window.size: a tumbling window needs a size/);
  assert.match(issues({ type: 'hopping', time: 'ts', size: '10s', hop: '20s', aggregates: { n: 'count' } }).join(), /window.hop: hop must be at most size/);
  assert.match(issues({ type: 'session', time: 'ts', aggregates: { n: 'count' } }).join(), /window.gap: a session window needs a gap/);
  assert.match(issues({ type: 'session', time: 'ts', gap: '1m', late: 'update', aggregates: { n: 'count' } }).join(), /window.late: late: update is for tumbling and hopping/);
  assert.match(issues({ type: 'tumbling', time: 'ts', size: '1m', aggregates: { n: 'median(x)' } }).join(), /window.aggregates.n: an aggregate is count/);
  assert.match(issues({ type: 'tumbling', time: 'ts', size: '1m', aggregates: {} }).join(), /window.aggregates: a window needs at least one aggregate/);
  assert.match(issues({ type: 'tumbling', time: 'ts', size: '1m', group_by: ['n'], aggregates: { n: 'count' } }).join(), /window.aggregates: result column n is also a group column/);
  assert.match(issues({ type: 'tumbling', time: 'ts', size: 'soon', aggregates: { n: 'count' } }).join(), /window.size: 'soon' is not a duration/);
  assert.match(issues({ type: 'tumbling', time: 'ts', size: '1m', late: 'update', aggregates: { n: 'count' } }).join(), /sinks.0.mode: with late: update/);
  assert.match(issues({ type: 'tumbling', time: 'ts', size: '1m', group_by: 'd', aggregates: { n: 'count' } }, [{ connection: 'pg', table: 't', mode: 'upsert', key: 'd' }]).join(), /sinks.0.key: an upsert sink of window results is keyed by the window: key: \[window_start, d\]/);
  assert.match(
    issues({ type: 'tumbling', time: 'ts', size: '1m', aggregates: { n: 'count' } }, [{ connection: 'pg', table: 't' }, { type: 'file', path: 'out/part-*.jsonl' }]).join(),
    /sinks.1.type: window results go into tables and brokers: a file sink takes records, not windows/,
  );
});

test('a late update is emitted even when the same batch moves the watermark past its retention', () => {
  const agg = new WindowAggregator(settings({ type: 'tumbling', time: 'ts', size: '10s', late: 'update', late_retention: '20s', aggregates: { n: 'count' } }, [{ connection: 'pg', table: 't', mode: 'upsert', key: ['window_start'] }]));
  const { rows, state } = run(agg, [[input('1', { ts: t(1) }), input('2', { ts: t(15) })], [input('3', { ts: t(2) }, { ts: t(100) })]]);
  assert.deepEqual(rows, [
    { window_start: at(0), window_end: at(10), n: 1 },
    { window_start: at(0), window_end: at(10), n: 2 },
    { window_start: at(10), window_end: at(20), n: 1 },
  ]);
  assert.deepEqual(state.closed, []);
});

test('an idle watermark moved by processing time emits the windows it passes, and later events behind it are late', () => {
  const agg = new WindowAggregator(settings({ type: 'tumbling', time: 'ts', size: '10s', watermark_delay: '2s', idle_timeout: '5s', aggregates: { n: 'count' } }));
  const { state } = run(agg, [[input('1', { ts: t(1) }), input('2', { ts: t(8) }), input('3', { ts: t(11) })]]);
  assert.equal(state.open.length, 2, 'the watermark at 9 s has closed no window');
  assert.equal(agg.idle(state, state.maxEventTime!), undefined, 'no move, nothing to emit');
  assert.equal(agg.idle(state, state.maxEventTime! + 500), undefined, 'a watermark at 9.5 s still passes no window end');
  const step = agg.idle(state, state.maxEventTime! + 6_000)!;
  assert.deepEqual(step.rows, [{ window_start: at(0), window_end: at(10), n: 2 }]);
  assert.equal(step.state.maxEventTime, Date.UTC(2026, 0, 1, 0, 0, 17));
  assert.equal(step.state.windowsClosed, 1);
  const later = agg.step(step.state, [input('4', { ts: t(9) }), input('5', { ts: t(19) })]);
  assert.deepEqual(later.late.map((l) => l.messageId), ['4']);
  assert.deepEqual(later.rows, []);
  const end = agg.idle(later.state, later.state.maxEventTime! + 100_000)!;
  assert.deepEqual(end.rows, [{ window_start: at(10), window_end: at(20), n: 2 }]);
});
