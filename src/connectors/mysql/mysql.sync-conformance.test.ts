import mysql from 'mysql2/promise';
import { runSyncDestinationConformance } from '../testing/sync-destination-conformance.ts';
import { requirePrerequisites } from '../../testing/require-prerequisites.ts';
import { mysqlConnector } from './index.ts';
import { quoteMysqlIdent } from './mysql-names.ts';

const url = process.env.SLUICE_TEST_MYSQL_URL ?? 'mysql://root@127.0.0.1:3306/test';

runSyncDestinationConformance({
  skip: await requirePrerequisites('mariadb'),
  connector: mysqlConnector,
  async open() {
    const database = `sluice_syncconf_${process.pid}_${Date.now().toString(36)}`;
    const admin = await mysql.createConnection({ uri: url });
    await admin.query(`CREATE DATABASE ${quoteMysqlIdent(database)} CHARACTER SET utf8mb4`);
    return {
      settings: { url: Object.assign(new URL(url), { pathname: `/${database}` }).toString() },
      table: (name) => name,
      async close() {
        await admin.query(`DROP DATABASE IF EXISTS ${quoteMysqlIdent(database)}`);
        await admin.end();
      },
    };
  },
});
