import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { SyncContext, SyncDestination } from '../core/connectors/sync-destination.ts';
import { StreamSink } from './stream-sink.ts';

describe('a stream sink with a sequence column', () => {
  it('refuses, on start, a destination that cannot keep the newest row, naming the connection', async () => {
    let prepared = false;
    const destination = { name: 'lake', prepare: async () => void (prepared = true) } as unknown as SyncDestination;
    const sink = new StreamSink('p', { connection: 'lake', table: 'latest', mode: 'upsert', key: ['device'], sequence: 'seq' }, destination);
    await assert.rejects(sink.load({} as SyncContext), /connection 'lake' cannot keep the newest row by a sequence column/);
    assert.equal(prepared, false, 'refused before anything is written');
  });
});
