import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { DataPlane, DataPlaneSession } from '../data-plane/data-plane.ts';
import { createDuckDbDataPlane } from '../data-plane/duckdb-data-plane.ts';
import { freshKeyRange } from './fresh-key-range.ts';
import type { SyncInput } from './sync-destination.ts';

describe('the key range of an upsert batch', () => {
  let dir: string;
  let plane: DataPlane;
  let session: DataPlaneSession;
  let n = 0;
  const input = async (sql: string): Promise<SyncInput> => {
    const table = `batch_${++n}`;
    const stored = await session.storeQuery(sql, path.join(dir, `${table}.parquet`));
    await session.attach(table, stored);
    return { table, columns: stored.columns, rows: stored.rows };
  };

  before(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'sluice-key-range-'));
    plane = await createDuckDbDataPlane({ tempDir: path.join(dir, 'spill') });
    session = await plane.openSession();
  });
  after(async () => {
    await session?.close();
    await plane?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('is the smallest and largest key of a one-column integer key, beyond the range of a double', async () => {
    const batch = await input(`SELECT i * 1000000007 + 9007199254740993 AS id, 'x' AS note FROM range(-3, 5) t(i)`);
    assert.deepEqual(await freshKeyRange(session, batch, ['id']), { min: String(-3n * 1000000007n + 9007199254740993n), max: String(4n * 1000000007n + 9007199254740993n) });
    const negative = await input(`SELECT CAST(i AS INTEGER) AS id FROM range(-20, -10) t(i)`);
    assert.deepEqual(await freshKeyRange(session, negative, ['id']), { min: '-20', max: '-11' });
  });

  it('is not given for a key of several columns, of text or decimals, for rows held as CSV text, or for no rows', async () => {
    const batch = await input(`SELECT i AS id, i AS other, 'k' || i AS code, CAST(i AS DECIMAL(10,2)) AS amount FROM range(1, 5) t(i)`);
    assert.equal(await freshKeyRange(session, batch, ['id', 'other']), undefined);
    assert.equal(await freshKeyRange(session, batch, ['code']), undefined);
    assert.equal(await freshKeyRange(session, batch, ['amount']), undefined);
    assert.equal(await freshKeyRange(session, { ...batch, csv: '1\n' }, ['id']), undefined);
    const empty = await input(`SELECT i AS id FROM range(1, 5) t(i) WHERE false`);
    assert.equal(await freshKeyRange(session, empty, ['id']), undefined);
  });
});
