import { randomBytes } from 'node:crypto';
import mysql from 'mysql2/promise';
import pg from 'pg';
import { queryWarehouse, tempDir, writeProject } from './cli-helpers.ts';

export const pgUrl = process.env.SLUICE_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
export const mysqlUrl = process.env.SLUICE_TEST_MYSQL_URL ?? 'mysql://root@127.0.0.1:3306/test';

export type Side = 'pg' | 'maria' | 'warehouse';
/** Every database a world can query: its sides and the `sqlite` destination file. */
export type QuerySide = Side | 'sqlite';

/**
 * A project with a PostgreSQL schema, a MariaDB database and the embedded
 * warehouse of its own (random names), and SQL access to each.
 */
export interface IntegrationWorld {
  readonly dir: string;
  readonly name: string;
  query(side: QuerySide, sql: string): Promise<Record<string, unknown>[]>;
  pipeline(file: string, yaml: string): void;
  close(): Promise<void>;
}

export async function createWorld(prefix: string): Promise<IntegrationWorld> {
  const name = `${prefix}_${randomBytes(4).toString('hex')}`;
  const { dir, cleanup } = tempDir(`sluice-${prefix}-`);
  const pgClient = new pg.Client({ connectionString: pgUrl });
  await pgClient.connect();
  await pgClient.query(`CREATE SCHEMA ${name}`);
  const root = await mysql.createConnection({ uri: mysqlUrl, multipleStatements: true, dateStrings: true, supportBigNumbers: true, bigNumberStrings: true });
  await root.query(`CREATE DATABASE ${name}`);
  await root.query(`USE ${name}`);
  const maria = new URL(mysqlUrl);
  maria.pathname = `/${name}`;
  writeProject(dir, {
    'sluice.yaml': `name: ${name}\n`,
    'connections.yaml': [
      'connections:',
      '  pg:',
      '    connector: postgres',
      `    url: "${pgUrl}"`,
      `    schema: ${name}`,
      '  maria:',
      '    connector: mysql',
      `    url: "${maria.toString()}"`,
      '  sqlite:',
      '    connector: sqlite',
      '    path: dest.sqlite',
      '',
    ].join('\n'),
  });
  return {
    dir,
    name,
    async query(side, sql) {
      switch (side) {
        case 'pg':
          return (await pgClient.query(sql)).rows as Record<string, unknown>[];
        case 'maria': {
          const [rows] = await root.query(sql);
          return rows as Record<string, unknown>[];
        }
        case 'warehouse':
          return queryWarehouse(`${dir}/.sluice/warehouse.duckdb`, sql);
        case 'sqlite': {
          const { default: Database } = await import('better-sqlite3');
          const db = new Database(`${dir}/dest.sqlite`, { readonly: true });
          try {
            return db.prepare(sql).all() as Record<string, unknown>[];
          } finally {
            db.close();
          }
        }
      }
    },
    pipeline(file, yaml) {
      writeProject(dir, { [`pipelines/${file}.yaml`]: yaml });
    },
    async close() {
      await pgClient.query(`DROP SCHEMA IF EXISTS ${name} CASCADE`).catch(() => undefined);
      await pgClient.end();
      await root.query(`DROP DATABASE IF EXISTS ${name}`).catch(() => undefined);
      await root.end();
      cleanup();
    },
  };
}

/** A table's row count, distinct ids and a checksum over its values, comparable across databases. */
export async function fingerprint(world: IntegrationWorld, side: QuerySide, table: string): Promise<{ rows: number; ids: number; checksum: string }> {
  const [row] = await world.query(side, `SELECT count(*) AS n, count(DISTINCT id) AS k, sum(id) AS s, sum(amount) AS a FROM ${table}`);
  return { rows: Number(row!.n), ids: Number(row!.k), checksum: `${String(row!.s ?? 0).replace(/\.0+$/, '')}/${Number(row!.a ?? 0).toFixed(2)}` };
}
