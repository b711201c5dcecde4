import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { HeartbeatWriter, readHeartbeats } from './stream-heartbeat.ts';

const batch = { messages: 3, rows: 3, duplicates: 0, deadLettered: 0, retried: 0, latencyMs: undefined };

describe('HeartbeatWriter', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'sluice-heartbeat-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('writes a batch recorded within the interval once the interval ends, so a quiet stream shows its last batch', async () => {
    const writer = new HeartbeatWriter(path.join(dir, 'streams', 'orders.json'), 'orders', 100);
    writer.record(batch);
    writer.record(batch);
    assert.equal(readHeartbeats(dir)[0]!.rows, 0, 'within the interval nothing new is written yet');
    // Waits on the file's state, with a generous deadline, not on a fixed pause.
    const deadline = Date.now() + 10_000;
    while (readHeartbeats(dir)[0]!.rows !== 6 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
    assert.equal(readHeartbeats(dir)[0]!.rows, 6);
    writer.finish('stopped');
    assert.deepEqual([readHeartbeats(dir)[0]!.state, readHeartbeats(dir)[0]!.rows], ['stopped', 6]);
  });
});
