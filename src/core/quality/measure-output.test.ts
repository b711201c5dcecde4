import assert from 'node:assert/strict';
import path from 'node:path';
import { describe, it } from 'node:test';
import { useDataPlaneSession } from '../../testing/data-plane-session.ts';
import { isSummable, measureOutput } from './measure-output.ts';

const plane = useDataPlaneSession('sluice-measure-');

describe('measureOutput', () => {
  it('counts rows, the null rate of every column and the exact sums of the metric columns', async () => {
    const output = await plane.session.storeQuery(
      `SELECT * FROM (VALUES (1, 'a', 10.25::DECIMAL(12,2)), (2, NULL, 20.50), (3, NULL, NULL), (4, 'd', -0.75)) t("id", "odd ""name""", amount)`,
      path.join(plane.dir, 'orders.parquet'),
    );
    assert.deepEqual(await measureOutput(plane.session, output.location, output.columns, ['amount']), [
      { metric: 'rows', value: 4 },
      { metric: 'null_rate:id', value: 0 },
      { metric: 'null_rate:odd "name"', value: 0.5 },
      { metric: 'null_rate:amount', value: 0.25 },
      { metric: 'sum:amount', value: 30 },
    ]);
    assert.equal(isSummable(output.columns.find((c) => c.name === 'amount')!), true);
    assert.equal(isSummable(output.columns.find((c) => c.name === 'odd "name"')!), false);
  });

  it('gives an empty output no null rates and a null sum, rather than a misleading zero', async () => {
    const output = await plane.session.storeQuery('SELECT 1 AS id, 2.5 AS amount WHERE false', path.join(plane.dir, 'empty.parquet'));
    assert.deepEqual(await measureOutput(plane.session, output.location, output.columns, ['amount']), [
      { metric: 'rows', value: 0 },
      { metric: 'null_rate:id', value: null },
      { metric: 'null_rate:amount', value: null },
      { metric: 'sum:amount', value: null },
    ]);
  });
});
