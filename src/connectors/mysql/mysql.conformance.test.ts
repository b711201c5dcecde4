import mysql from 'mysql2/promise';
import { runConnectorConformance } from '../testing/connector-conformance.ts';
import { requirePrerequisites } from '../../testing/require-prerequisites.ts';
import { mysqlConnector } from './index.ts';
import { quoteMysqlIdent } from './mysql-names.ts';

const url = process.env.SLUICE_TEST_MYSQL_URL ?? 'mysql://root@127.0.0.1:3306/test';

runConnectorConformance({
  skip: await requirePrerequisites('mariadb'),
  connector: mysqlConnector,
  enforces: { textLength: true, numericPrecision: true, intRange: true },
  async open({ dir }) {
    const database = `sluice_conf_${process.pid}_${Date.now().toString(36)}`;
    const admin = await mysql.createConnection({ uri: url, supportBigNumbers: true, bigNumberStrings: true, dateStrings: true });
    // Fixture SQL is written in the standard's double quotes, as for every other database.
    await admin.query("SET SESSION sql_mode = CONCAT_WS(',', NULLIF(@@SESSION.sql_mode, ''), 'ANSI_QUOTES', 'STRICT_ALL_TABLES')");
    await admin.query(`CREATE DATABASE ${quoteMysqlIdent(database)} CHARACTER SET utf8mb4`);
    const testUrl = Object.assign(new URL(url), { pathname: `/${database}` }).toString();
    const connection = await mysqlConnector.connect(mysqlConnector.connectionSchema.parse({ url: testUrl }), { name: 'conformance_mysql', projectRoot: dir, warehousePath: '' });
    const quote = (name: string): string => `"${name.replaceAll('"', '""')}"`;
    return {
      connection,
      schema: database,
      qualified: (name) => `${quote(database)}.${quote(name)}`,
      exec: async (sql) => void (await admin.query(sql)),
      rows: async (sql) => (await admin.query(sql))[0] as Record<string, unknown>[],
      async close() {
        await connection.close();
        await admin.query(`DROP DATABASE IF EXISTS ${quoteMysqlIdent(database)}`);
        await admin.end();
      },
    };
  },
  badConnections: [
    { what: 'an unreachable host', settings: { host: '192.0.2.1', user: 'root', password: 'Unreachable-pw-41', database: 'test', connect_timeout: 1 }, secret: 'Unreachable-pw-41' },
    { what: 'a closed port', settings: { host: '127.0.0.1', port: 1, user: 'root', database: 'test' } },
    { what: 'a wrong password', settings: { url: 'mysql://root:S3cret-pw-99@127.0.0.1:3306/test' }, secret: 'S3cret-pw-99' },
  ],
});
