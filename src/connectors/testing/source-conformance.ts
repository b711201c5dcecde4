import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { AnyConnector, ConnectorConnection } from '../../core/connectors/connector.ts';
import { SluiceError } from '../../core/errors.ts';
import { quoteIdent } from '../../core/sql/quote.ts';
import { openConnectorTestBench, type ConnectorTestBench } from './connector-test-bench.ts';

/** A read-only source (files, an API) as the suite sees it. */
export interface SourceConformance {
  /** Opens the connection and whatever serves the data (files written, a local HTTP server). */
  open(bench: ConnectorTestBench): Promise<{ readonly connection: ConnectorConnection; close(): Promise<void> }>;
  /**
   * A source holding the typed values its format can carry, and each
   * column's values as they must read back (cast to text, in source order).
   */
  readonly typed: { readonly settings: Record<string, unknown>; readonly expect: Readonly<Record<string, readonly (string | null)[]>> };
  /** Inputs that must fail with `code`, the message naming what `mentions` lists, and nothing stored. */
  readonly badInputs: readonly BadInput[];
}

export interface BadInput {
  readonly what: string;
  readonly settings: Record<string, unknown>;
  /** Connection settings of its own (an unreachable host, say), opened as `conformance_<kind>`. */
  readonly connection?: Record<string, unknown>;
  readonly code: string;
  /** What the message must name: the connection, the stream, the request. */
  readonly mentions: readonly (string | RegExp)[];
  /** A secret the connection holds, which must not appear in the error. */
  readonly secret?: string;
}

/** The read and bad-input parts of the conformance suite, for sources that are not tables. */
export function describeSourceConformance(connector: AnyConnector, source: SourceConformance, skip: string | false = false): void {
  let bench: ConnectorTestBench;
  let opened: Awaited<ReturnType<SourceConformance['open']>>;
  let outputs = 0;
  const location = () => path.join(bench.dir, `source_${++outputs}.parquet`);
  const read = (settings: Record<string, unknown>, at: string, connection = opened.connection) =>
    connection.read!({ settings: connector.readSchema.parse(settings), location: at }, bench.context());
  const connect = (settings: Record<string, unknown>) =>
    connector.connect(connector.connectionSchema.parse(settings), { name: `conformance_${connector.kind}`, projectRoot: bench.dir, warehousePath: '' });

  describe(`${connector.kind} conformance: source`, { skip }, () => {
    before(async () => {
      bench = await openConnectorTestBench(`sluice-conformance-${connector.kind}-`);
      opened = await source.open(bench);
    });
    after(async () => {
      await opened?.close();
      await bench?.close();
    });

    it('reads big integers, booleans, unicode, nested values and NULLs unchanged', async () => {
      const result = await read(source.typed.settings, location());
      const table = `typed_${outputs}`;
      await bench.session.attach(table, result.output);
      for (const [column, expected] of Object.entries(source.typed.expect)) {
        const rows = await bench.session.query(`SELECT CAST(${quoteIdent(column)} AS VARCHAR) AS v FROM ${table}`);
        assert.deepEqual(rows.map((r) => (r.v === null ? null : String(r.v))), expected, `column ${column}`);
      }
    });

    for (const bad of source.badInputs) {
      it(`fails clearly on ${bad.what}, storing nothing`, async () => {
        const at = location();
        let error: unknown;
        try {
          const connection = bad.connection ? await connect(bad.connection) : opened.connection;
          try {
            await read(bad.settings, at, connection);
          } finally {
            if (bad.connection) await connection.close();
          }
        } catch (caught) {
          error = caught;
        }
        assert.ok(error instanceof SluiceError, `expected a SluiceError, got ${String(error)}`);
        assert.equal(error.code, bad.code, error.message);
        for (const mention of bad.mentions) {
          if (typeof mention === 'string') assert.ok(error.message.includes(mention), `'${mention}' missing from: ${error.message}`);
          else assert.match(error.message, mention);
        }
        if (bad.secret) assert.ok(!JSON.stringify({ ...error.toJSON(), cause: String(error.cause) }).includes(bad.secret), `the secret shows in: ${error.message}`);
        assert.equal(existsSync(at), false, 'a failed read left an output behind');
      });
    }
  });
}
