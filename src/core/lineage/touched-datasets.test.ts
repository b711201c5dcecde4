import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createDuckDbDataPlane } from '../data-plane/duckdb-data-plane.ts';
import type { DataPlane, DataPlaneSession } from '../data-plane/data-plane.ts';
import { createSqlParser } from './sql-parser.ts';
import { touchedDatasets } from './touched-datasets.ts';

describe('the tables a block touched through its connections', () => {
  let root: string;
  let plane: DataPlane;
  let session: DataPlaneSession;
  before(async () => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'sluice-touched-'));
    plane = await createDuckDbDataPlane({ tempDir: path.join(root, 'spill') });
    session = await plane.openSession();
  });
  after(async () => {
    await plane.close();
    fs.rmSync(root, { recursive: true, force: true });
  });
  const touched = async (...sql: string[]) =>
    (await touchedDatasets(sql.map((text) => ({ connection: 'shop', sql: text })), createSqlParser(session))).map((d) => `${d.access} ${d.connection}.${d.table}`).sort();

  it('reads the tables of a query, joins and subqueries included, with parameters', async () => {
    assert.deepEqual(await touched('SELECT o.id FROM public.orders o JOIN customers c ON c.id = o.customer WHERE o.day = $1 AND o.id IN (SELECT id FROM refunds)'), [
      'read shop.customers',
      'read shop.public.orders',
      'read shop.refunds',
    ]);
  });

  it('finds the table a statement writes, and what an INSERT ... SELECT reads', async () => {
    assert.deepEqual(await touched('INSERT INTO "Sales"."Daily" (day, total) SELECT day, sum(amount) FROM orders GROUP BY day'), ['read shop.orders', 'write shop.sales.daily']);
    assert.deepEqual(await touched('-- upsert\nUPDATE stock SET n = n - 1 WHERE id = $1', 'DELETE FROM carts WHERE id = ?', 'MERGE INTO totals t USING x ON t.id = x.id WHEN MATCHED THEN DELETE'), [
      'write shop.carts',
      'write shop.stock',
      'write shop.totals',
    ]);
    assert.deepEqual(await touched('CREATE TABLE IF NOT EXISTS audit AS SELECT * FROM events', 'TRUNCATE TABLE staging', 'COPY loads FROM STDIN', 'COPY (SELECT 1) TO STDOUT'), [
      'read shop.events',
      'write shop.audit',
      'write shop.loads',
      'write shop.staging',
    ]);
  });

  it('counts each table once and leaves out statements that touch no table', async () => {
    assert.deepEqual(await touched('SELECT * FROM orders', 'select id from ORDERS', 'SET search_path = x', 'CREATE TEMP TABLE scratch (id int)', 'SELECT now()'), ['read shop.orders']);
  });
});
