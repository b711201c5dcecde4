import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { AnyConnector, ConnectorConnection, WriteMode } from '../../core/connectors/connector.ts';
import type { Column, StoredOutput } from '../../core/data-plane/data-plane.ts';
import { SluiceError } from '../../core/errors.ts';
import { quoteIdent } from '../../core/sql/quote.ts';
import { openConnectorTestBench, type ConnectorTestBench } from './connector-test-bench.ts';
import { roundTripChecks, roundTripInput, weirdColumn, weirdTable } from './conformance-values.ts';
import { peakRssDuring } from './peak-rss.ts';
import { describeSourceConformance, type SourceConformance } from './source-conformance.ts';

/** A database the suite runs against, prepared by the connector's own test file. */
export interface ConformanceServer {
  /** The connection under test, opened on a schema or database of the test's own. */
  readonly connection: ConnectorConnection;
  /** Runs SQL on the server directly, past the connector: fixtures and checks. */
  exec(sql: string): Promise<void>;
  /** Rows of a query run directly on the server. */
  rows(sql: string): Promise<Record<string, unknown>[]>;
  /** `name` in the test's schema, quoted for `exec` SQL. */
  qualified(name: string): string;
  /** Where the test's tables live, as `discover` takes it. */
  readonly schema: string;
  close(): Promise<void>;
}

/** What a connector's test file hands the suite. */
export interface ConformanceAdapter {
  readonly connector: AnyConnector;
  /** Tables: opens the server side in a schema or database no other test uses; the bench gives a folder and a data plane session. */
  readonly open?: (bench: ConnectorTestBench) => Promise<ConformanceServer>;
  /**
   * Limits the database itself enforces on declared types. SQLite enforces
   * none (any cell holds any value) and DuckDB ignores VARCHAR lengths.
   */
  readonly enforces?: { readonly textLength: boolean; readonly numericPrecision: boolean; readonly intRange: boolean };
  /** Sources that are not tables (files, APIs): typed reads and bad input. */
  readonly source?: SourceConformance;
  /** Connection settings that must fail to connect; the password, if any, must not appear in the error. */
  readonly badConnections?: readonly { readonly what: string; readonly settings: Record<string, unknown>; readonly secret?: string }[];
  /** A reason to skip the suite: what the machine lacks (see requirePrerequisites). */
  readonly skip?: string | false;
}

/** Rows in the default streamed read; SLUICE_HEAVY=1 adds the 1,000,000-row read with a memory bound. */
const streamedRows = 50_000;
const heavyRows = 1_000_000;
const heavy = process.env.SLUICE_HEAVY === '1';

/**
 * The one conformance suite every connector passes. Tables: read (streamed),
 * discover, every declared write mode, transactional failure, exact type
 * round trips, odd identifiers, empty tables, NULLs, values that do not fit,
 * and bad connections. Sources that are not tables (files, APIs): typed reads
 * and bad input. Call it at the top level of a `*.conformance.test.ts`.
 */
export function runConnectorConformance(adapter: ConformanceAdapter): void {
  if (adapter.source) describeSourceConformance(adapter.connector, adapter.source, adapter.skip);
  if (adapter.open) describeTableConformance(adapter, adapter.open);
}

function describeTableConformance(adapter: ConformanceAdapter, open: NonNullable<ConformanceAdapter['open']>): void {
  const { connector } = adapter;
  const enforces = adapter.enforces ?? { textLength: false, numericPrecision: false, intRange: false };
  const modes: readonly WriteMode[] = connector.capabilities.write.filter((m: WriteMode) => m !== 'partition');
  let bench: ConnectorTestBench;
  let server: ConformanceServer;
  let outputs = 0;

  const write = async (table: string, sql: string, settings: Record<string, unknown> = {}) => {
    const input = await bench.input(sql);
    return server.connection.write!({ settings: connector.writeSchema.parse({ table: quoteIdent(table), ...settings }), input }, bench.context());
  };
  const read = async (settings: Record<string, unknown>): Promise<{ output: StoredOutput; table: string }> => {
    const table = `read_${++outputs}`;
    const result = await server.connection.read!({ settings: connector.readSchema.parse(settings), location: path.join(bench.dir, `${table}.parquet`) }, bench.context());
    await bench.session.attach(table, result.output);
    return { output: result.output, table };
  };
  const readTable = (name: string) => read({ table: quoteIdent(name) });
  const count = async (name: string): Promise<number> => Number((await server.rows(`SELECT count(*) AS n FROM ${server.qualified(name)}`))[0]!.n);
  const plane = async (sql: string) => bench.session.query(sql);

  describe(`${connector.kind} conformance`, { skip: adapter.skip }, () => {
    before(async () => {
      bench = await openConnectorTestBench(`sluice-conformance-${connector.kind}-`);
      server = await open(bench);
    });
    after(async () => {
      await server?.close();
      await bench?.close();
    });

    describe('reading', () => {
      it(`streams a ${streamedRows.toLocaleString('en-US')}-row table in batches with every row intact`, async () => {
        await write('streamed', `SELECT i AS id, 'row ' || i AS label, (i % 1000) * 0.01::DECIMAL(12,2) AS amount FROM range(${streamedRows}) t(i)`);
        const { output, table } = await readTable('streamed');
        assert.equal(output.rows, streamedRows);
        const [sums] = await plane(`SELECT count(DISTINCT id) AS d, sum(id)::VARCHAR AS ids, sum(amount)::VARCHAR AS total, max(label) AS top FROM ${table}`);
        assert.deepEqual({ ...sums }, { d: BigInt(streamedRows), ids: String((streamedRows * (streamedRows - 1)) / 2), total: '249750.00', top: 'row 9999' });
      });

      it('reads the result of a query', async () => {
        const { output, table } = await read({ query: 'SELECT id, label FROM streamed WHERE id < 10' });
        assert.equal(output.rows, 10);
        assert.deepEqual(output.columns.map((c) => c.name), ['id', 'label']);
        assert.deepEqual((await plane(`SELECT label FROM ${table} ORDER BY id LIMIT 2`)).map((r) => r.label), ['row 0', 'row 1']);
      });

      it('reads an empty table with its columns', async () => {
        await write('empty', "SELECT 1::BIGINT AS id, 'x' AS note, 1.5::DECIMAL(10,2) AS amount WHERE false");
        const { output } = await readTable('empty');
        assert.equal(output.rows, 0);
        assert.deepEqual(output.columns.map((c) => c.name), ['id', 'note', 'amount']);
      });

      it('names the connection and table when the table does not exist', async () => {
        const error = await failure(readTable('no_such_table'));
        assert.match(error.message, /no_such_table/);
        assert.match(error.message, new RegExp(`'conformance_${connector.kind}'|${connector.kind}`));
      });

      it(`streams ${heavyRows.toLocaleString('en-US')} rows with bounded memory (SLUICE_HEAVY=1)`, { skip: !heavy && 'set SLUICE_HEAVY=1' }, async (t) => {
        await write('million', `SELECT i AS id, repeat('x', 200) || i AS payload, i % 7 = 0 AS flag FROM range(${heavyRows}) t(i)`);
        const { result, peakGrowth } = await peakRssDuring(() => readTable('million'));
        assert.equal(result.output.rows, heavyRows);
        t.diagnostic(`resident memory grew by ${Math.round(peakGrowth / 1048576)} MB while reading ${heavyRows.toLocaleString('en-US')} rows`);
        // The payload is 200 MB as text, over 400 MB as JS strings: a reader that held the table would
        // pass the bound, which leaves room for the data plane's memory limit (160 MB by default).
        assert.ok(peakGrowth < 300 * 1024 * 1024, `resident memory grew by ${Math.round(peakGrowth / 1048576)} MB while reading`);
      });
    });

    describe('discovering', () => {
      it('lists tables with column types, nullability and primary key', async () => {
        await server.exec(`CREATE TABLE ${server.qualified('disc_keyed')} (id BIGINT NOT NULL, part INTEGER NOT NULL, note VARCHAR(20), PRIMARY KEY (part, id))`);
        await server.exec(`CREATE TABLE ${server.qualified('disc_plain')} (v INTEGER)`);
        const found = await server.connection.discover!({ schema: server.schema }, bench.context());
        const table = found.find((t) => t.name === 'disc_keyed');
        assert.ok(table, `disc_keyed not among ${found.map((t) => t.name).join(', ')}`);
        assert.deepEqual(table.columns.map((c) => [c.name, c.nullable]), [['id', false], ['part', false], ['note', true]]);
        assert.match(table.columns[0]!.type, /bigint/i);
        assert.match(table.columns[2]!.type, /char|text/i);
        assert.deepEqual(table.primaryKey, ['part', 'id']);
        assert.ok(found.some((t) => t.name === 'disc_plain' && t.primaryKey.length === 0));
        const names = found.map((t) => t.name);
        assert.deepEqual(names, [...names].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)));
      });
    });

    describe('writing', () => {
      const has = (mode: WriteMode) => (modes.includes(mode) ? false : `${connector.kind} does not declare ${mode}`);

      it('replaces a table', { skip: has('replace') }, async () => {
        await write('w_replace', "SELECT i AS id, 'old' AS v FROM range(3) t(i)");
        await write('w_replace', "SELECT i + 10 AS id, 'new' AS v FROM range(2) t(i)", { mode: 'replace' });
        const { table } = await readTable('w_replace');
        assert.deepEqual(await idsAndValues(table), [[10, 'new'], [11, 'new']]);
      });

      it('appends rows', { skip: has('append') }, async () => {
        await write('w_append', "SELECT i AS id, 'a' AS v FROM range(2) t(i)");
        await write('w_append', "SELECT i + 2 AS id, 'b' AS v FROM range(3) t(i)", { mode: 'append' });
        assert.equal(await count('w_append'), 5);
      });

      it('upserts by key: the input wins for keys present, other rows stay', { skip: has('upsert') }, async () => {
        await server.exec(`CREATE TABLE ${server.qualified('w_upsert')} (id BIGINT NOT NULL PRIMARY KEY, v VARCHAR(10))`);
        await write('w_upsert', "SELECT * FROM (VALUES (1::BIGINT, 'a'), (2, 'b')) t(id, v)", { mode: 'upsert', key: ['id'] });
        await write('w_upsert', "SELECT * FROM (VALUES (2::BIGINT, 'B'), (3, 'c')) t(id, v)", { mode: 'upsert', key: ['id'] });
        const { table } = await readTable('w_upsert');
        assert.deepEqual(await idsAndValues(table), [[1, 'a'], [2, 'B'], [3, 'c']]);
      });

      it('merges by key: every row of a key in the input is replaced', { skip: has('merge') }, async () => {
        await write('w_merge', "SELECT * FROM (VALUES (1::BIGINT, 'g1'), (2, 'g1'), (3, 'g2')) t(id, v)");
        await write('w_merge', "SELECT * FROM (VALUES (9::BIGINT, 'g1')) t(id, v)", { mode: 'merge', key: ['v'] });
        const { table } = await readTable('w_merge');
        assert.deepEqual(await idsAndValues(table), [[3, 'g2'], [9, 'g1']]);
      });

      for (const mode of modes.filter((m) => m !== 'replace')) {
        it(`leaves the target unchanged when a ${mode} fails part-way`, async () => {
          const name = `w_fail_${mode}`;
          await server.exec(`CREATE TABLE ${server.qualified(name)} (id BIGINT NOT NULL PRIMARY KEY, v VARCHAR(10) NOT NULL)`);
          await server.exec(`INSERT INTO ${server.qualified(name)} (id, v) VALUES (1, 'kept'), (2, 'kept')`);
          // 5,000 good rows, then one the target refuses (NULL into NOT NULL) near the end.
          const bad = 'SELECT i + 100 AS id, CASE WHEN i = 4990 THEN NULL ELSE \'new\' END AS v FROM range(5000) t(i)';
          const error = await failure(write(name, bad, { mode, key: ['id'] }));
          assert.match(error.message, new RegExp(name));
          const { table } = await readTable(name);
          assert.deepEqual(await idsAndValues(table), [[1, 'kept'], [2, 'kept']]);
        });
      }
    });

    describe('types', () => {
      it('round-trips big integers, NUMERIC(38,10), timestamps around DST, booleans, JSON, long and unicode text, NULLs', async () => {
        await write(weirdTable, roundTripInput);
        const original = await bench.input(roundTripInput);
        const { output, table } = await readTable(weirdTable);
        assert.equal(output.rows, 4);
        const types = new Map(output.columns.map((c: Column) => [c.name, c.type]));
        for (const check of roundTripChecks) {
          const expression = check.compare(quoteIdent(check.column), types.get(check.column) ?? 'MISSING');
          const expected = check.compare(quoteIdent(check.column), check.type);
          const mismatches = await plane(
            `SELECT o.id, CAST(o.${quoteIdent(check.column)} AS VARCHAR) AS sent, CAST(r.${quoteIdent(check.column)} AS VARCHAR) AS got
               FROM (SELECT id, ${expected} AS v, ${quoteIdent(check.column)} FROM ${quoteIdent(original.table)}) o
               FULL JOIN (SELECT CAST(id AS BIGINT) AS id, ${expression} AS v, ${quoteIdent(check.column)} FROM ${table}) r USING (id)
              WHERE o.v IS DISTINCT FROM r.v`,
          );
          const shown = mismatches.map((m) => `id ${String(m.id)}: sent ${String(m.sent).slice(0, 80)}, got ${String(m.got).slice(0, 80)}`);
          assert.deepEqual(shown, [], `${check.column} (${types.get(check.column)}) changed on the way`);
        }
      });

      it('discovers the quote-laden table and its unicode column', async () => {
        const found = await server.connection.discover!({ schema: server.schema }, bench.context());
        const table = found.find((t) => t.name === weirdTable);
        assert.ok(table, `${weirdTable} not among ${found.map((t) => t.name).join(', ')}`);
        assert.ok(table.columns.some((c) => c.name === 'naïve') && table.columns.some((c) => c.name === weirdColumn));
      });
    });

    describe('values that do not fit', () => {
      const limits = [
        { what: 'text longer than VARCHAR(5)', column: 'short', value: "'abcdefgh'", enforced: enforces.textLength },
        { what: '1e40 into NUMERIC(10,2)', column: 'amount', value: '1e40::DOUBLE', enforced: enforces.numericPrecision },
        { what: '40000 into SMALLINT', column: 'small', value: '40000', enforced: enforces.intRange },
        { what: '1.239 into NUMERIC(10,2) (no rounding)', column: 'amount', value: '1.239::DECIMAL(10,3)', enforced: enforces.numericPrecision },
      ];
      for (const limit of limits) {
        it(`rejects ${limit.what}, naming the row, and changes nothing`, { skip: !limit.enforced && `${connector.kind} does not enforce it` }, async () => {
          const name = `narrow_${limits.indexOf(limit)}`;
          await server.exec(`CREATE TABLE ${server.qualified(name)} (id INTEGER NOT NULL PRIMARY KEY, short VARCHAR(5), amount NUMERIC(10,2), small SMALLINT)`);
          await server.exec(`INSERT INTO ${server.qualified(name)} (id, short, amount, small) VALUES (1, 'ok', 1.50, 7)`);
          const columns = { short: "'fine'", amount: '2.25::DECIMAL(10,2)', small: '3' } as Record<string, string>;
          columns[limit.column] = `CASE WHEN i = 2500 THEN ${limit.value} ELSE ${columns[limit.column]} END`;
          const sql = `SELECT (i + 10)::INTEGER AS id, ${columns.short} AS short, ${columns.amount} AS amount, ${columns.small} AS small FROM range(3000) t(i)`;
          const error = await failure(write(name, sql, { mode: 'append' }));
          assert.match(error.message, new RegExp(limit.column), error.message);
          // The bad value is input row 2,501 (counting from 1), id 2510.
          assert.match(error.message, /\b(row|line) 2,?501\b|\bid 2510\b/, error.message);
          assert.equal(await count(name), 1);
        });
      }
    });

    describe('bad connections', () => {
      for (const bad of adapter.badConnections ?? []) {
        it(`fails clearly on ${bad.what}, naming the connection and masking the password`, async () => {
          const settings = connector.connectionSchema.parse(bad.settings);
          const error = await failure(connector.connect(settings, { name: `conformance_${connector.kind}`, projectRoot: bench.dir, warehousePath: '' }));
          assert.match(error.message, new RegExp(`'conformance_${connector.kind}'`));
          if (bad.secret) assert.ok(!error.message.includes(bad.secret) && !JSON.stringify(error).includes(bad.secret), `the password shows in: ${error.message}`);
        });
      }
    });
  });

  async function idsAndValues(table: string): Promise<[number, string][]> {
    return (await plane(`SELECT CAST(id AS INTEGER) AS id, v FROM ${table} ORDER BY id`)).map((r) => [Number(r.id), String(r.v)]);
  }
}

async function failure(work: Promise<unknown>): Promise<SluiceError> {
  try {
    await work;
  } catch (error) {
    assert.ok(error instanceof SluiceError, `expected a SluiceError, got ${String(error)}`);
    return error;
  }
  assert.fail('expected a failure');
}
