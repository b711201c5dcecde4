import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { StreamMetricSample } from '../run-store/stream-metrics-store.ts';
import { judgeStreamLag } from './stream-lag-sensor.ts';

describe('judging a stream lag sensor', () => {
  const now = Date.parse('2026-05-01T10:00:30Z');
  const block = { stream: 'orders_live', below: 100, maxAge: 60_000 };
  const sample = (extra: Partial<StreamMetricSample>): StreamMetricSample => ({ pipeline: 'orders_live', at: '2026-05-01T10:00:20Z', state: 'running', recordsPerSecond: 50, rows: 1000, lag: 40, deadLetters: 0, restarts: 0, ...extra });

  it('is ready when a fresh sample of a running stream has its lag below the bound', () => {
    assert.deepEqual(judgeStreamLag(block, sample({}), now), { ready: true, reason: 'orders_live has caught up: 40 messages waiting, below 100 (at 2026-05-01T10:00:20Z)' });
  });

  it('waits, saying why, for a lag at the bound, an unknown lag, a stale or a stopped stream, or no sample', () => {
    const why = (s: StreamMetricSample | undefined) => {
      const judged = judgeStreamLag(block, s, now);
      assert.equal(judged.ready, false);
      return judged.reason;
    };
    assert.match(why(sample({ lag: 100 })), /100 messages waiting, not below 100/);
    assert.match(why(sample({ lag: undefined })), /does not tell its lag/);
    assert.match(why(sample({ at: '2026-05-01T09:58:00Z' })), /150 s old, older than max_age/);
    assert.match(why(sample({ state: 'stopped', lag: 0 })), /is stopped/);
    assert.match(why(sample({ state: 'failed', lag: 0 })), /is failing/);
    assert.match(why(undefined), /has recorded no metrics yet/);
  });
});
