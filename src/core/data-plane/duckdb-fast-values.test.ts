import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { DuckDBInstance, JSDuckDBValueConverter } from '@duckdb/node-api';
import { fastColumnValues } from './duckdb-fast-values.ts';

describe('reading column values from vector memory', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'sluice-fast-values-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('gives exactly what the engine converter gives, NULLs and edge values included', async () => {
    const instance = await DuckDBInstance.create(':memory:');
    const connection = await instance.connect();
    try {
      const result = await connection.stream(`
        SELECT i % 2 = 0 AS b, (i % 256 - 128)::TINYINT AS i8, (i % 256)::UTINYINT AS u8, (i * 37 % 65536 - 32768)::SMALLINT AS i16,
               (i * 7 % 65536)::USMALLINT AS u16, (i * 2654435761 % 4294967296 - 2147483648)::INTEGER AS i32, (i * 2654435761 % 4294967296)::UINTEGER AS u32,
               (hash(i) % 9223372036854775807)::BIGINT * (CASE WHEN i % 2 = 0 THEN 1 ELSE -1 END) AS i64, (i / 7.0)::FLOAT AS f4, CASE i % 5 WHEN 0 THEN 'nan'::DOUBLE WHEN 1 THEN -0.0 ELSE i / 3.0 END AS f8,
               (((i * 104729) % 19999 - 9999) / 100)::DECIMAL(4,2) AS d4, (((i * 104729) % 1999999999 - 999999999) / 100)::DECIMAL(9,2) AS d9,
               ((i * 1000000007 - 4000000000000) / 100)::DECIMAL(18,2) AS d18, (hash(i) % 999999999999999999)::DECIMAL(18,0) AS d18big,
               CASE i % 4 WHEN 0 THEN '' WHEN 1 THEN 'short é' WHEN 2 THEN repeat('long 佐藤 🙂 ', i % 9 + 1) ELSE 'a,"b"' || chr(10) END AS s
          FROM range(5000) t(i)
        UNION ALL SELECT NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL`);
      const types = result.columnTypes();
      let checked = 0;
      for (let chunk = await result.fetchChunk(); chunk && chunk.rowCount > 0; chunk = await result.fetchChunk()) {
        for (let c = 0; c < types.length; c++) {
          const fast = fastColumnValues(chunk, c, types[c]!);
          assert.ok(fast, `a fast path for ${types[c]!.toString()}`);
          const expected = chunk.convertColumnValues(c, JSDuckDBValueConverter);
          for (let r = 0; r < expected.length; r++) assert.ok(Object.is(fast[r], expected[r]), `${result.columnName(c)} row ${r}: ${String(fast[r])} vs ${String(expected[r])}`);
          checked += expected.length;
        }
      }
      assert.equal(checked, 5001 * types.length);
    } finally {
      connection.closeSync();
      instance.closeSync();
    }
  });

  it('reads repeated, long and missing text across many chunks as the engine converter does', async () => {
    const instance = await DuckDBInstance.create(':memory:');
    const connection = await instance.connect();
    try {
      // Parquet keeps long repeated values in a dictionary: the engine then lays them out in several blocks per chunk.
      await connection.run(`COPY (SELECT CASE WHEN i % 11 = 0 THEN NULL WHEN i % 3 = 0 THEN 'Customer number ' || (i % 40) || ', Zoë' ELSE 'id-' || (i % 997) END AS s,
                                          CASE WHEN i % 5 = 0 THEN repeat('ø', i % 50) ELSE md5(i::VARCHAR) END AS u
                                     FROM range(30000) t(i)) TO '${dir}/texts.parquet' (FORMAT parquet)`);
      const result = await connection.stream(`SELECT * FROM read_parquet('${dir}/texts.parquet')`);
      let checked = 0;
      for (let chunk = await result.fetchChunk(); chunk && chunk.rowCount > 0; chunk = await result.fetchChunk()) {
        for (let c = 0; c < 2; c++) {
          const fast: unknown[] = fastColumnValues(chunk, c, result.columnTypes()[c]!)!;
          const expected: unknown[] = chunk.convertColumnValues(c, JSDuckDBValueConverter);
          assert.deepEqual(fast, expected);
          checked += expected.length;
        }
      }
      assert.equal(checked, 60000);
    } finally {
      connection.closeSync();
      instance.closeSync();
    }
  });

  it('leaves other types to the engine converter', async () => {
    const instance = await DuckDBInstance.create(':memory:');
    const connection = await instance.connect();
    try {
      const result = await connection.stream(`SELECT DATE '2024-01-01' AS d, [1, 2] AS l, 1::HUGEINT AS h, 1.5::DECIMAL(30,2) AS wide`);
      const chunk = (await result.fetchChunk())!;
      result.columnTypes().forEach((type, c) => assert.equal(fastColumnValues(chunk, c, type), undefined, type.toString()));
    } finally {
      connection.closeSync();
      instance.closeSync();
    }
  });
});
