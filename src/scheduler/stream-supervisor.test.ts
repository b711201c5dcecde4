import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { SqliteRunStore } from '../core/run-store/sqlite-run-store.ts';
import { backoffFor, createStreamSupervisor, defaultRestartPolicy, type StreamSupervisorEvent, type SupervisedStream } from './stream-supervisor.ts';

/** Resolves when `check` holds, polling; fails the test after `ms`. */
async function until(check: () => boolean, ms = 30_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** A stream that runs until asked to stop, or fails at once for its first `failFirst` starts. */
function fakeStreams(failFirst = 0) {
  const starts: SupervisedStream[] = [];
  return {
    starts,
    runStream: async (stream: SupervisedStream) => {
      starts.push(stream);
      if (starts.filter((s) => s.pipeline === stream.pipeline).length <= failFirst) throw new Error(`sink refused (${stream.pipeline})`);
      await new Promise<void>((resolve) => stream.stop.addEventListener('abort', () => resolve(), { once: true }));
    },
  };
}

describe('stream supervisor', () => {
  let dir: string;
  let store: SqliteRunStore;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'sluice-supervisor-'));
    store = new SqliteRunStore(path.join(dir, 'runs.db'));
  });
  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const leases = () => ({ acquireLease: store.acquireLease.bind(store), releaseLease: store.releaseLease.bind(store) });

  it('doubles the wait between restarts up to the cap', () => {
    const policy = { ...defaultRestartPolicy, initialBackoffMs: 100, maxBackoffMs: 500 };
    assert.deepEqual([1, 2, 3, 4, 5].map((n) => backoffFor(n, policy)), [100, 200, 400, 500, 500]);
  });

  it('restarts a failing stream with backoff and alerts after the configured failures in a row', async () => {
    const streams = fakeStreams(4);
    const alerts: { pipeline: string; failures: number; message: string }[] = [];
    const events: StreamSupervisorEvent[] = [];
    const supervisor = createStreamSupervisor({
      ...leases(),
      listStreams: () => ['orders'],
      runStream: streams.runStream,
      onRepeatedFailure: async (pipeline, error, failures) => void alerts.push({ pipeline, failures, message: error.message }),
      onEvent: (e) => events.push(e),
      pollMs: 20,
      policy: { initialBackoffMs: 10, maxBackoffMs: 40, alertAfter: 2 },
    });
    supervisor.start();
    await until(() => streams.starts.length === 5);
    await supervisor.stop();
    assert.deepEqual(streams.starts.map((s) => s.restarts), [0, 1, 2, 3, 4]);
    assert.deepEqual(alerts, [
      { pipeline: 'orders', failures: 2, message: 'sink refused (orders)' },
      { pipeline: 'orders', failures: 4, message: 'sink refused (orders)' },
    ]);
    const waits = events.flatMap((e) => (e.kind === 'failed' ? [e.restartInMs] : []));
    assert.deepEqual(waits, [10, 20, 40, 40]);
    assert.equal(events.at(-1)?.kind, 'stopped');
    // The clean stop gave the lease up: another process may take the stream at once.
    assert.equal(await store.acquireLease('stream:orders', 'someone-else', 1000), true);
  });

  it('runs each stream in one process only; a standby takes it when the holder stops', async () => {
    const first = fakeStreams();
    const second = fakeStreams();
    const a = createStreamSupervisor({ ...leases(), owner: 'a', listStreams: () => ['orders', 'clicks'], runStream: first.runStream, pollMs: 20, leaseMs: 60_000 });
    const b = createStreamSupervisor({ ...leases(), owner: 'b', listStreams: () => ['orders', 'clicks'], runStream: second.runStream, pollMs: 20, leaseMs: 60_000 });
    await a.tick();
    await b.tick();
    assert.deepEqual(first.starts.map((s) => s.pipeline).sort(), ['clicks', 'orders']);
    assert.equal(second.starts.length, 0, 'the second supervisor stands by');
    await a.stop();
    await b.tick();
    assert.deepEqual(second.starts.map((s) => s.pipeline).sort(), ['clicks', 'orders']);
    await b.stop();
  });

  it('stops a stream whose pipeline file went away', async () => {
    const streams = fakeStreams();
    let names = ['orders', 'clicks'];
    const events: StreamSupervisorEvent[] = [];
    const supervisor = createStreamSupervisor({ ...leases(), listStreams: () => names, runStream: streams.runStream, onEvent: (e) => events.push(e), pollMs: 20 });
    await supervisor.tick();
    names = ['orders'];
    await supervisor.tick();
    assert.ok(events.some((e) => e.kind === 'stopped' && e.pipeline === 'clicks'));
    assert.ok(!events.some((e) => e.kind === 'stopped' && e.pipeline === 'orders'));
    await supervisor.stop();
  });
});
