import path from 'node:path';
import Database from 'better-sqlite3';
import { quoteIdent } from '../../core/sql/quote.ts';
import { runConnectorConformance } from '../testing/connector-conformance.ts';
import { sqliteConnector } from './index.ts';

runConnectorConformance({
  connector: sqliteConnector,
  // Declared types only give a column an affinity: SQLite stores any value in any column.
  enforces: { textLength: false, numericPrecision: false, intRange: false },
  async open({ dir }) {
    const file = path.join(dir, 'conformance.sqlite');
    const connection = await sqliteConnector.connect(sqliteConnector.connectionSchema.parse({ path: file }), { name: 'conformance_sqlite', projectRoot: dir, warehousePath: '' });
    const admin = new Database(file);
    admin.defaultSafeIntegers(true);
    return {
      connection,
      schema: 'main',
      qualified: (name) => `main.${quoteIdent(name)}`,
      exec: async (sql) => void admin.exec(sql),
      rows: async (sql) => admin.prepare(sql).all() as Record<string, unknown>[],
      async close() {
        admin.close();
        await connection.close();
      },
    };
  },
  badConnections: [
    { what: 'a read-only connection to a missing file', settings: { path: '/nonexistent-dir/missing.sqlite', readonly: true } },
  ],
});
