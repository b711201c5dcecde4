import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { connectors } from '../connectors/registry.ts';
import { batchQuery, cursorLiteral, sourceDialect, sourceFrom } from './source-dialect.ts';

describe('source dialects', () => {
  const pg = sourceDialect(connectors.get('postgres')!, 'pg');
  const my = sourceDialect(connectors.get('mysql')!, 'maria');

  it('takes the next batch up to the n-th cursor value, ties included', () => {
    assert.equal(
      batchQuery(pg, sourceFrom(pg, { table: 'public.orders' }), 'updated_at', "'2024-01-01 00:00:00'", 500),
      `SELECT * FROM "public"."orders" WHERE "updated_at" > '2024-01-01 00:00:00' AND "updated_at" <= (SELECT max("updated_at") FROM (SELECT "updated_at" FROM "public"."orders" WHERE "updated_at" > '2024-01-01 00:00:00' ORDER BY "updated_at" LIMIT 500) AS _sluice_next)`,
    );
    assert.match(batchQuery(my, sourceFrom(my, { query: 'SELECT 1 AS id' }), 'id', undefined, 10), /^SELECT \* FROM \(SELECT 1 AS id\) AS _sluice_source WHERE `id` IS NOT NULL AND `id` <= /);
  });

  it('writes a stored cursor as a number or a quoted string, and refuses a number that is not one', () => {
    assert.equal(cursorLiteral(pg, '42', 'number'), '42');
    assert.equal(cursorLiteral(pg, "it's", 'text'), "'it''s'");
    assert.equal(cursorLiteral(my, 'a\\b', 'text'), "'a\\\\b'");
    assert.throws(() => cursorLiteral(pg, '1; DROP TABLE x', 'number'), /not a number/);
  });

  it('refuses a source it cannot read in batches', () => {
    assert.throws(() => sourceDialect(connectors.get('rest')!, 'api'), /connection 'api' is a rest connection, which cannot be an integration source/);
  });
});
