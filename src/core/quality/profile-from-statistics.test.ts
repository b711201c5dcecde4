import assert from 'node:assert/strict';
import path from 'node:path';
import { describe, it } from 'node:test';
import { useDataPlaneSession } from '../../testing/data-plane-session.ts';
import { profileFromFileStatistics } from './profile-from-statistics.ts';
import { profileOutput } from './profile-output.ts';

const plane = useDataPlaneSession('sluice-profile-stats-');

describe('profileFromFileStatistics', () => {
  it("gives the rows, nulls, min and max the full profile finds, from the file's footer, over several row groups", async () => {
    // 300,000 rows make three row groups, so the footer's per-group figures must be added up and compared.
    const output = await plane.session.storeQuery(
      `SELECT i AS id, CASE WHEN i % 7 = 0 THEN NULL ELSE (i % 1000) - 250.5 END AS amount,
         CASE WHEN i % 11 = 0 THEN NULL ELSE ['north', 'south', 'east'][i % 3 + 1] END AS region,
         DATE '2024-01-01' + (i % 90)::INTEGER AS day, i % 2 = 0 AS even, [i, i] AS pair
       FROM range(300000) r(i)`,
      path.join(plane.dir, 'large.parquet'),
    );
    const quick = await profileFromFileStatistics(plane.session, output);
    const full = await profileOutput(plane.session, output);
    assert.equal(quick.partial, true);
    assert.equal(quick.rows, 300_000);
    assert.equal(quick.rows, full.rows);
    // The nested column's footer counts its elements, not its rows: it is left to the full profile.
    assert.deepEqual(quick.columns.map((c) => c.name), ['id', 'amount', 'region', 'day', 'even']);
    for (const column of quick.columns) {
      const reference = full.columns.find((c) => c.name === column.name)!;
      assert.equal(column.nulls, reference.nulls, `${column.name} nulls`);
      assert.equal(String(column.min), String(reference.min), `${column.name} min`);
      assert.equal(String(column.max), String(reference.max), `${column.name} max`);
    }
    assert.equal(quick.columns.find((c) => c.name === 'amount')!.nulls, 42_858);
  });
});
