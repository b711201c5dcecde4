import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { DriftEventRecord, DriftStore, FingerprintRecord } from './quality-store.ts';
import type { NewRunRecord, RunHistory } from './run-history.ts';

/** The drift part of the run store contract: fingerprints as baselines, and drift events. */
export function describeDriftContract(openStore: () => Promise<DriftStore & Pick<RunHistory, 'createRun'>>, run: (id: string, pipeline: string, minute: number) => NewRunRecord): void {
  describe('drift', () => {
    const fingerprint = (runId: string, minute: number, type = 'VARCHAR'): FingerprintRecord => ({
      runId,
      pipeline: 'daily',
      block: 'orders',
      fingerprint: { rows: 3, columns: [{ name: 'order_date', type, nullRate: 0, shape: '9999-99-99', shapeShare: 1 }] },
      at: new Date(Date.UTC(2024, 4, 1, 10, minute)).toISOString(),
    });
    const event = (runId: string, column: string, extra: Partial<DriftEventRecord> = {}): DriftEventRecord => ({
      runId,
      pipeline: 'daily',
      block: 'orders',
      column,
      kind: 'format_changed',
      before: '9999-99-99',
      after: '99/99/9999',
      action: 'warned',
      message: `format of ${column} changed: 9999-99-99 -> 99/99/9999`,
      rows: 2,
      samples: [{ order_id: 1, [column]: '03/07/2024' }],
      at: '2024-05-01T10:05:00.000Z',
      ...extra,
    });

    it("takes the newest fingerprint of another run as a block's baseline, and replaces a run's own", async () => {
      const store = await openStore();
      for (const [i, id] of ['f1', 'f2', 'f3'].entries()) await store.createRun(run(id, 'daily', i));
      assert.equal(await store.baselineFingerprint('daily', 'orders', 'f1'), undefined);
      await store.putFingerprint(fingerprint('f1', 1));
      await store.putFingerprint(fingerprint('f2', 2, 'BIGINT'));
      await store.putFingerprint(fingerprint('f2', 3));
      assert.deepEqual(await store.baselineFingerprint('daily', 'orders', 'f3'), fingerprint('f2', 3));
      assert.deepEqual(await store.baselineFingerprint('daily', 'orders', 'f2'), fingerprint('f1', 1));
      assert.equal(await store.baselineFingerprint('daily', 'customers', 'f3'), undefined);
      assert.equal(await store.baselineFingerprint('weekly', 'orders', 'f3'), undefined);
    });

    it('keeps drift events with their samples, replaces those of a block run recorded again, and lists them newest first', async () => {
      const store = await openStore();
      for (const [i, id] of ['d1', 'd2'].entries()) await store.createRun(run(id, i ? 'weekly' : 'daily', i));
      await store.putDriftEvents('d1', 'orders', [event('d1', 'order_date'), event('d1', 'shipped_on')]);
      await store.putDriftEvents('d1', 'orders', [event('d1', 'order_date', { action: 'failed' }), event('d1', 'note', { kind: 'added_column', before: undefined, after: 'VARCHAR', rows: undefined, samples: undefined })]);
      const later = { ...event('d2', 'amount', { kind: 'null_rate_jump', before: '0%', after: '40%' }), pipeline: 'weekly', at: '2024-05-01T11:00:00.000Z' };
      await store.putDriftEvents('d2', 'orders', [later]);
      assert.deepEqual(await store.listDriftEvents({ pipeline: 'daily' }), [
        event('d1', 'order_date', { action: 'failed' }),
        { runId: 'd1', pipeline: 'daily', block: 'orders', column: 'note', kind: 'added_column', after: 'VARCHAR', action: 'warned', message: 'format of note changed: 9999-99-99 -> 99/99/9999', at: '2024-05-01T10:05:00.000Z' },
      ]);
      assert.deepEqual((await store.listDriftEvents()).map((e) => `${e.runId} ${e.column}`), ['d2 amount', 'd1 order_date', 'd1 note']);
      assert.deepEqual((await store.listDriftEvents({ runId: 'd2' })).map((e) => e.column), ['amount']);
      assert.deepEqual((await store.listDriftEvents({ limit: 1 })).map((e) => e.column), ['amount']);
      // A block run recorded again without drift clears what its earlier attempt recorded, and only that.
      await store.putDriftEvents('d1', 'orders', []);
      assert.deepEqual((await store.listDriftEvents()).map((e) => `${e.runId} ${e.column}`), ['d2 amount']);
    });
  });
}
