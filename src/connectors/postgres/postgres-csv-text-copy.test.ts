import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { CsvRowEncoder } from '../../core/data-plane/csv-row-encoder.ts';
import type { Row } from '../../core/data-plane/data-plane.ts';
import type { SyncContext, SyncDestination, SyncInput } from '../../core/connectors/sync-destination.ts';
import { quoteIdent } from '../../core/sql/quote.ts';
import { requirePrerequisites } from '../../testing/require-prerequisites.ts';
import { openConnectorTestBench, type ConnectorTestBench } from '../testing/connector-test-bench.ts';
import { postgresConnector } from './index.ts';

const url = process.env.SLUICE_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

/** A batch as CSV text in memory, as a streaming producer hands it over. */
function csvInput(rows: readonly Row[], types: Record<string, string>): SyncInput {
  const encoder = new CsvRowEncoder(types);
  const csv = encoder.encode(rows);
  return { table: 'batch', columns: encoder.columns.map((c) => ({ name: c.name, type: types[c.name] ?? c.staged.final })), rows: encoder.rowCount, csv };
}

describe('postgres loading a batch given as CSV text', { skip: await requirePrerequisites('postgres') }, () => {
  const schema = `sluice_csvtext_${process.pid}_${Date.now().toString(36)}`;
  const pipeline = `csvtext_${process.pid}`;
  let bench: ConnectorTestBench;
  let admin: pg.Client;
  let destination: SyncDestination;
  let context: SyncContext;

  before(async () => {
    bench = await openConnectorTestBench('sluice-pg-csvtext-');
    admin = new pg.Client({ connectionString: url });
    await admin.connect();
    await admin.query(`CREATE SCHEMA ${quoteIdent(schema)}`);
    destination = await postgresConnector.syncDestination!({ url, schema }, { name: 'dest', projectRoot: bench.dir, warehousePath: path.join(bench.dir, 'w.duckdb'), session: bench.session });
    context = { session: bench.session, logger: bench.context().logger, signal: new AbortController().signal, tempDir: path.join(bench.dir, 'tmp') };
    await destination.prepare(context);
  });
  after(async () => {
    await destination?.close();
    await admin?.query(`DROP SCHEMA IF EXISTS ${quoteIdent(schema)} CASCADE`);
    await admin?.end();
    await bench?.close();
  });

  it('keeps quotes, commas, line breaks, empty strings, nulls and UTC times, and commits the position with them', async () => {
    assert.equal(destination.loadsCsv, true);
    const table = { name: `${schema}.events` };
    const rows = [
      { id: 1, note: 'plain', at: new Date('2024-05-01T10:00:00.123Z'), ok: true },
      { id: 2, note: 'a "quoted", comma\nand a line', at: null, ok: false },
      { id: 3, note: '', at: new Date('2024-12-31T23:59:59.000Z'), ok: null },
      { id: 4, note: null, at: null, ok: true },
    ];
    const input = csvInput(rows, { id: 'BIGINT', note: 'VARCHAR', at: 'TIMESTAMP WITH TIME ZONE' });
    await destination.createTable(table, input.columns, ['id'], context);
    const result = await destination.applyBatch({ pipeline, stream: 'events', table, change: { kind: 'append', input }, state: { committed: 4 }, previousState: null }, context);
    assert.equal(result.rows, 4);
    const back = await admin.query(`SELECT id::int, note, (extract(epoch FROM at) * 1000)::bigint::text AS ms, ok FROM ${quoteIdent(schema)}.events ORDER BY id`);
    assert.deepEqual(back.rows, [
      { id: 1, note: 'plain', ms: String(Date.parse('2024-05-01T10:00:00.123Z')), ok: true },
      { id: 2, note: 'a "quoted", comma\nand a line', ms: null, ok: false },
      { id: 3, note: '', ms: String(Date.parse('2024-12-31T23:59:59.000Z')), ok: null },
      { id: 4, note: null, ms: null, ok: true },
    ]);
    const [state] = await destination.readState(pipeline, 'events');
    assert.deepEqual(state?.state, { committed: 4 });
  });

  it('takes a one-column row holding a backslash and a dot as text, not as the end of the data', async () => {
    const table = { name: `${schema}.notes` };
    const input = csvInput([{ note: 'before' }, { note: '\\.' }, { note: 'after' }], { note: 'VARCHAR' });
    await destination.createTable(table, input.columns, [], context);
    await destination.applyBatch({ pipeline, stream: 'notes', table, change: { kind: 'append', input }, state: {}, previousState: null }, context);
    const back = await admin.query(`SELECT note FROM ${quoteIdent(schema)}.notes ORDER BY note`);
    assert.deepEqual(back.rows.map((r: { note: string }) => r.note).sort(), ['\\.', 'after', 'before'].sort());
  });

  it('upserts CSV text by key, and commits nothing of a batch the table refuses', async () => {
    const table = { name: `${schema}.events` };
    const upsert = csvInput([{ id: 2, note: 'replaced', ok: true }, { id: 5, note: 'new', ok: false }], { id: 'BIGINT', note: 'VARCHAR' });
    await destination.applyBatch({ pipeline, stream: 'events', table, change: { kind: 'upsert', input: upsert, key: ['id'] }, state: { committed: 6 }, previousState: { committed: 4 } }, context);
    const refused = csvInput([{ id: 6, note: 'x' }, { id: 6, note: 'twice' }], { id: 'BIGINT', note: 'VARCHAR' });
    await assert.rejects(destination.applyBatch({ pipeline, stream: 'events', table, change: { kind: 'append', input: refused }, state: { committed: 8 }, previousState: { committed: 6 } }, context), /duplicate key/);
    const back = await admin.query(`SELECT id::int, note, ok FROM ${quoteIdent(schema)}.events WHERE id IN (2, 5, 6) ORDER BY id`);
    assert.deepEqual(back.rows, [
      { id: 2, note: 'replaced', ok: true },
      { id: 5, note: 'new', ok: false },
    ]);
    assert.deepEqual((await destination.readState(pipeline, 'events'))[0]?.state, { committed: 6 });
  });
});
