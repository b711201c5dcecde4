import pg from 'pg';
import { quoteIdent } from '../../core/sql/quote.ts';
import { runSyncDestinationConformance } from '../testing/sync-destination-conformance.ts';
import { requirePrerequisites } from '../../testing/require-prerequisites.ts';
import { postgresConnector } from './index.ts';

const url = process.env.SLUICE_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

runSyncDestinationConformance({
  skip: await requirePrerequisites('postgres'),
  connector: postgresConnector,
  async open() {
    const schema = `sluice_syncconf_${process.pid}_${Date.now().toString(36)}`;
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    await admin.query(`CREATE SCHEMA ${quoteIdent(schema)}`);
    return {
      settings: { url, schema },
      table: (name) => `${schema}.${name}`,
      async close() {
        await admin.query(`DROP SCHEMA IF EXISTS ${quoteIdent(schema)} CASCADE`);
        await admin.end();
      },
    };
  },
});
