import pg from 'pg';
import { quoteIdent } from '../../core/sql/quote.ts';
import { runConnectorConformance } from '../testing/connector-conformance.ts';
import { requirePrerequisites } from '../../testing/require-prerequisites.ts';
import { postgresConnector } from './index.ts';

const url = process.env.SLUICE_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

runConnectorConformance({
  skip: await requirePrerequisites('postgres'),
  connector: postgresConnector,
  enforces: { textLength: true, numericPrecision: true, intRange: true },
  async open({ dir }) {
    const schema = `sluice_conf_${process.pid}_${Date.now().toString(36)}`;
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    await admin.query(`CREATE SCHEMA ${quoteIdent(schema)}`);
    const settings = postgresConnector.connectionSchema.parse({ url, schema });
    const connection = await postgresConnector.connect(settings, { name: 'conformance_postgres', projectRoot: dir, warehousePath: '' });
    return {
      connection,
      schema,
      qualified: (name) => `${quoteIdent(schema)}.${quoteIdent(name)}`,
      exec: async (sql) => void (await admin.query(sql)),
      rows: async (sql) => (await admin.query(sql)).rows,
      async close() {
        await connection.close();
        await admin.query(`DROP SCHEMA IF EXISTS ${quoteIdent(schema)} CASCADE`);
        await admin.end();
      },
    };
  },
  badConnections: [
    { what: 'an unreachable host', settings: { host: '192.0.2.1', user: 'postgres', password: 'Unreachable-pw-41', database: 'test', connect_timeout: 1 }, secret: 'Unreachable-pw-41' },
    { what: 'a closed port', settings: { host: '127.0.0.1', port: 1, user: 'postgres', database: 'test' } },
    { what: 'an unknown user (bad credentials)', settings: { url: 'postgres://no_such_user_sluice:S3cret-pw-99@127.0.0.1:5432/test' }, secret: 'S3cret-pw-99' },
  ],
});
