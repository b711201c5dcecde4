import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { CheckResultRecord } from '../quality/check-result.ts';
import type { RunHistory } from './run-history.ts';
import type { MetricPointRecord, QualityStore } from './quality-store.ts';
import { at, run } from './contract-fixtures.ts';
import { describeDriftContract } from './drift-contract.ts';

/** The quality role's contract: check results, profiles, metric history, and (in drift-contract.ts) fingerprints and drift. */
export function describeQualityContract(openStore: () => Promise<QualityStore & Pick<RunHistory, 'createRun'>>): void {
  describe('check results and profiles', () => {
  it('keeps check results per block run, replaces a block run\'s results, and gives one check\'s history newest first', async () => {
    const store = await openStore();
    await store.createRun(run('r1', 'daily', 0));
    await store.createRun(run('r2', 'daily', 1));
    const result = (runId: string, name: string, status: 'passed' | 'failed', minute: number): CheckResultRecord => ({
      runId, pipeline: 'daily', block: 'orders', name, kind: 'not_null', severity: 'warn', status,
      failingRows: status === 'failed' ? 2 : 0, message: 'm', at: at(minute),
      ...(status === 'failed' ? { sample: [{ id: 1, amount: null }] } : {}),
    });
    await store.putCheckResults('r1', 'orders', [result('r1', 'b_check', 'passed', 0), result('r1', 'a_check', 'passed', 0)]);
    await store.putCheckResults('r1', 'orders', [result('r1', 'b_check', 'failed', 0), result('r1', 'a_check', 'passed', 0)]);
    await store.putCheckResults('r2', 'orders', [result('r2', 'b_check', 'passed', 1)]);
    const listed = await store.listCheckResults('r1');
    assert.deepEqual(listed.map((r) => [r.name, r.status, r.failingRows]), [['b_check', 'failed', 2], ['a_check', 'passed', 0]]);
    assert.deepEqual(listed[0]!.sample, [{ id: 1, amount: null }]);
    assert.equal(listed[1]!.sample, undefined);
    assert.deepEqual((await store.checkHistory('daily', 'orders', 'b_check')).map((r) => [r.runId, r.status]), [['r2', 'passed'], ['r1', 'failed']]);
    assert.deepEqual(await store.checkHistory('daily', 'orders', 'b_check', 1).then((h) => h.map((r) => r.runId)), ['r2']);
    assert.deepEqual(await store.checkHistory('other', 'orders', 'b_check'), []);
  });

  it('keeps a profile per block run and replaces it when written again', async () => {
    const store = await openStore();
    await store.createRun(run('r1', 'daily', 0));
    const profile = { rows: 3, ms: 1, columns: [{ name: 'id', type: 'BIGINT', nulls: 0, approxDistinct: 3, min: 1, max: 3, mean: 2 }] };
    await store.putProfile({ runId: 'r1', block: 'orders', profile: { ...profile, rows: 9 } });
    await store.putProfile({ runId: 'r1', block: 'orders', profile });
    assert.deepEqual(await store.getProfile('r1', 'orders'), { runId: 'r1', block: 'orders', profile });
    assert.equal(await store.getProfile('r1', 'other'), undefined);
  });
  });

  describe('metric history', () => {
    const point = (runId: string, metric: string, value: number | null, date: string, extra: Partial<MetricPointRecord> = {}): MetricPointRecord => ({
      runId, pipeline: 'daily', block: 'orders', metric, value, date, at: `${date}T10:00:00.000Z`, markedExpected: false, ...extra,
    });
    const verdict = { expected: 100, low: 90, high: 110, score: 4.5, anomaly: true, reason: '145 is 4.5 deviations above the expected 100' };

    it('keeps each metric value with its verdict, and replaces a value recorded again by the same run', async () => {
      const store = await openStore();
      for (const [i, id] of ['m1', 'm2'].entries()) await store.createRun(run(id, 'daily', i));
      await store.putMetricPoints([point('m1', 'rows', 100, '2024-05-01'), point('m1', 'sum:amount', null, '2024-05-01')]);
      await store.putMetricPoints([point('m2', 'rows', 140, '2024-05-02', { verdict: { ...verdict, score: 3.9 } })]);
      await store.putMetricPoints([point('m2', 'rows', 145, '2024-05-02', { verdict })]);
      assert.deepEqual(await store.listRunMetricPoints('m2'), [point('m2', 'rows', 145, '2024-05-02', { verdict })]);
      assert.deepEqual(await store.listRunMetricPoints('m1'), [point('m1', 'rows', 100, '2024-05-01'), point('m1', 'sum:amount', null, '2024-05-01')]);
    });

    it('lists the newest values of each metric oldest first, before a given run, by date and then time', async () => {
      const store = await openStore();
      const dates = ['2024-05-03', '2024-05-01', '2024-05-02', '2024-05-04'];
      for (const [i, date] of dates.entries()) {
        await store.createRun(run(`h${i}`, 'daily', i));
        await store.putMetricPoints([point(`h${i}`, 'rows', i, date), point(`h${i}`, 'null_rate:email', i / 10, date)]);
      }
      await store.createRun(run('other', 'weekly', 9));
      await store.putMetricPoints([{ ...point('other', 'rows', 9, '2024-05-02'), pipeline: 'weekly' }]);
      const rows = await store.listMetricHistory('daily', 'orders', { metric: 'rows' });
      assert.deepEqual(rows.map((p) => p.date), ['2024-05-01', '2024-05-02', '2024-05-03', '2024-05-04']);
      const before = await store.listMetricHistory('daily', 'orders', { before: { runId: 'h3', date: '2024-05-04', at: '2024-05-04T10:00:00.000Z' }, limit: 2 });
      assert.deepEqual(before.map((p) => `${p.metric} ${p.date}`), ['null_rate:email 2024-05-02', 'null_rate:email 2024-05-03', 'rows 2024-05-02', 'rows 2024-05-03']);
      assert.deepEqual(await store.listMetricHistory('daily', 'customers'), []);
    });

    it('marks a flagged value as expected, and says when the run recorded no such value', async () => {
      const store = await openStore();
      await store.createRun(run('x1', 'daily', 0));
      await store.putMetricPoints([point('x1', 'sum:amount', 145, '2024-05-01', { verdict })]);
      assert.deepEqual(await store.markMetricExpected('x1', 'orders', 'sum:amount'), point('x1', 'sum:amount', 145, '2024-05-01', { verdict, markedExpected: true }));
      assert.equal(await store.markMetricExpected('x1', 'orders', 'sum:price'), undefined);
      assert.equal((await store.listMetricHistory('daily', 'orders'))[0]?.markedExpected, true);
    });
  });

  describeDriftContract(openStore, run);
}
