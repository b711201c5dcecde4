import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { SyncStateStore } from './sync-state-store.ts';

/** The sync state role's contract: integration stream state and schema events. */
export function describeSyncStateContract(openStore: () => Promise<SyncStateStore>): void {
  describe('sync state', () => {
  it('mirrors integration stream state per pipeline and stream, and keeps schema events in order', async () => {
    const store = await openStore();
    await store.putSyncState({ pipeline: 'p', stream: 'a', state: { cursor: '1' }, updatedAt: '2024-05-01T00:00:00.000Z' });
    await store.putSyncState({ pipeline: 'p', stream: 'a', state: { cursor: '2' }, updatedAt: '2024-05-01T00:01:00.000Z' });
    await store.putSyncState({ pipeline: 'p', stream: 'b', state: { cursor: '9' }, updatedAt: '2024-05-01T00:01:00.000Z' });
    await store.putSyncState({ pipeline: 'q', stream: 'a', state: {}, updatedAt: '2024-05-01T00:01:00.000Z' });
    assert.deepEqual((await store.listSyncState('p')).map((s) => [s.stream, s.state]), [['a', { cursor: '2' }], ['b', { cursor: '9' }]]);
    await store.deleteSyncState('p', 'a');
    assert.deepEqual((await store.listSyncState('p')).map((s) => s.stream), ['b']);
    await store.deleteSyncState('p');
    assert.deepEqual(await store.listSyncState('p'), []);
    assert.equal((await store.listSyncState('q')).length, 1);
    for (const kind of ['create_table', 'add_column']) {
      await store.appendSchemaEvent({ pipeline: 'p', stream: 'a', table: 't', kind, detail: kind, runId: 'r1', at: '2024-05-01T00:00:00.000Z' });
    }
    assert.deepEqual((await store.listSchemaEvents('p')).map((e) => [e.kind, e.table, e.runId]), [['create_table', 't', 'r1'], ['add_column', 't', 'r1']]);
    assert.deepEqual(await store.listSchemaEvents('q'), []);
  });
  });
}
