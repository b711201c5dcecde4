/**
 * Database-to-database transfer, Sluice next to the databases' own bulk paths, in one run:
 *
 *   npm run bench:transfer -- [--rows 1000000] [--only pg-to-mysql,mysql-to-pg,sync-pg-to-pg,sync-pg-to-mysql]
 *
 * The table: id BIGINT key, qty INT, amount NUMERIC(12,2), note TEXT, created_at TIMESTAMP,
 * active BOOLEAN, generated in PostgreSQL and in MariaDB (untimed).
 *
 *   pg-to-mysql   Sluice: `sluice run` of a loader (PostgreSQL, COPY out) and an exporter
 *                 (MariaDB, replace) in a child process.
 *                 Native: `psql \copy (...) TO file CSV`, then `LOAD DATA LOCAL INFILE` by the mariadb CLI.
 *   mysql-to-pg   Sluice: the same pipeline the other way (exporter: PostgreSQL COPY, replace).
 *                 Native: `mariadb --batch` (tab-separated, \N for NULL) piped into `psql \copy FROM STDIN`.
 *   sync-pg-to-pg, sync-pg-to-mysql
 *                 An incremental integration sync (incremental_dedupe, cursor id, the default batch size)
 *                 of the whole table into an empty destination, each batch committed with its position;
 *                 rows/s is the figure (target: 200k rows/s at 1M rows).
 *
 * Every target must hold the source's row count and checksums; otherwise MISMATCH and exit code 1.
 * Wall time and peak RSS come from /usr/bin/time -v (for the native paths, the largest process).
 * Timings are reported, never asserted.
 *
 * PostgreSQL: $SLUICE_BENCH_PG_URL (default postgres://postgres@127.0.0.1:5432/test).
 * MariaDB: $SLUICE_BENCH_MYSQL_URL (default mysql://root@127.0.0.1:3306/test).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { benchColumns, benchColumnsMysql, blockTimes, cleanUp, mysqlCheck, mysqlCliArgs, openClients, PG_URL, pgCheck, pgRows, q, REPO, reportLine, timed, writeProject, mysqlLoadData, mysqlUpsertSql, pgUpsertScript, type Measure } from './bench-common.ts';

const BIN = join(REPO, 'bin', 'sluice.js');

const { values } = parseArgs({ options: { rows: { type: 'string', default: '1000000' }, only: { type: 'string', default: 'pg-to-mysql,mysql-to-pg,sync-pg-to-pg,sync-pg-to-mysql' } } });
const rows = Number(values.rows);
const only = new Set(values.only.split(','));

const tag = `sluice_bench_xfer_${process.pid}`;
const mysqlArgs = mysqlCliArgs();

async function main(): Promise<void> {
  const { pgc, my } = await openClients();
  const dir = mkdtempSync(join(tmpdir(), 'sluice-bench-transfer-'));
  let failed = false;
  try {
    console.log(`transfer benchmark: ${rows.toLocaleString('en-US')} rows; PostgreSQL schema and MariaDB database ${tag}`);
    await pgc.query(`CREATE SCHEMA ${tag}`);
    await my.query(`CREATE DATABASE ${tag} CHARACTER SET utf8mb4`);
    await pgc.query(`CREATE TABLE ${tag}.src (${benchColumns})`);
    await pgc.query(`INSERT INTO ${tag}.src ${pgRows(1, rows)}`);
    await my.query(`CREATE TABLE ${tag}.src (${benchColumnsMysql}) ENGINE=InnoDB`);
    await my.query(`INSERT INTO ${tag}.src SELECT seq, (seq * 7) % 1000, ((seq * 37) % 100000) / 100.0, CONCAT('customer ', md5(seq)), TIMESTAMP '2024-01-01 00:00:00' + INTERVAL seq * 17 SECOND, seq % 3 = 0 FROM seq_1_to_${rows}`);
    const expectPg = (await pgc.query(pgCheck(`${tag}.src`))).rows[0];
    const expectMy = ((await my.query(mysqlCheck(`${tag}.src`)))[0] as Record<string, unknown>[])[0];

    const project = writeProject(dir, 'bench_transfer', tag, {
      pg_to_mysql: pipeline('pg', 'maria', 'dst_sluice'),
      mysql_to_pg: pipeline('maria', 'pg', 'dst_sluice'),
      sync_pg_to_pg: syncPipeline('pg'),
      sync_pg_to_mysql: syncPipeline('maria'),
    });

    const report = (label: string, m: Measure): void => console.log(reportLine(label, rows, m));
    const verify = async (label: string, got: Record<string, unknown> | undefined, want: Record<string, unknown> | undefined): Promise<void> => {
      const same = JSON.stringify(got) === JSON.stringify(want);
      if (!same) failed = true;
      console.log(`  ${label}: ${same ? 'checksums match' : `MISMATCH\n    got  ${JSON.stringify(got)}\n    want ${JSON.stringify(want)}`}`);
    };

    if (only.has('pg-to-mysql')) {
      console.log('\nPostgreSQL -> MariaDB');
      const sluice = timed(process.execPath, [BIN, 'run', 'pg_to_mysql'], project);
      report('Sluice (loader pg -> exporter mysql)', sluice);
      blockTimes(sluice);
      await verify('Sluice', ((await my.query(mysqlCheck(`${tag}.dst_sluice`)))[0] as Record<string, unknown>[])[0], expectMy);

      await my.query(`CREATE TABLE ${tag}.dst_native LIKE ${tag}.src`);
      const csv = join(dir, 'pg.csv');
      const native = timed('bash', ['-c', [
        `psql ${q(PG_URL)} -v ON_ERROR_STOP=1 -q -c ${q(`\\copy (SELECT id, qty, amount, note, created_at, active::int FROM ${tag}.src) TO '${csv}' (FORMAT csv)`)}`,
        `mariadb ${mysqlArgs.map(q).join(' ')} --local-infile=1 ${tag} -e ${q(`SET time_zone = '+00:00'; ${mysqlLoadData(csv, 'dst_native', false)}`)}`,
      ].join(' && ')]);
      report('native (psql \\copy to CSV + LOAD DATA LOCAL)', native);
      await verify('native', ((await my.query(mysqlCheck(`${tag}.dst_native`)))[0] as Record<string, unknown>[])[0], expectMy);
      console.log(`  ratio Sluice / native: ${(sluice.wallS / native.wallS).toFixed(2)}x the time`);
      rmSync(csv, { force: true });
    }

    if (only.has('mysql-to-pg')) {
      console.log('\nMariaDB -> PostgreSQL');
      const sluice = timed(process.execPath, [BIN, 'run', 'mysql_to_pg'], project);
      report('Sluice (loader mysql -> exporter pg)', sluice);
      blockTimes(sluice);
      await verify('Sluice', (await pgc.query(pgCheck(`${tag}.dst_sluice`))).rows[0], expectPg);

      await pgc.query(`CREATE TABLE ${tag}.dst_native (LIKE ${tag}.src INCLUDING ALL)`);
      const native = timed('bash', ['-o', 'pipefail', '-c', [
        `mariadb ${mysqlArgs.map(q).join(' ')} --batch --skip-column-names --quick ${tag} -e ${q("SET time_zone = '+00:00'; SELECT id, qty, amount, note, created_at, active FROM src")}`,
        `psql ${q(PG_URL)} -v ON_ERROR_STOP=1 -q -c ${q(`\\copy ${tag}.dst_native FROM STDIN`)}`,
      ].join(' | ')]);
      report('native (mariadb --batch | psql \\copy FROM STDIN)', native);
      await verify('native', (await pgc.query(pgCheck(`${tag}.dst_native`))).rows[0], expectPg);
      console.log(`  ratio Sluice / native: ${(sluice.wallS / native.wallS).toFixed(2)}x the time`);
    }

    for (const [name, to, title] of [['sync-pg-to-pg', 'pg', 'PostgreSQL'], ['sync-pg-to-mysql', 'mysql', 'MariaDB']] as const) {
      if (!only.has(name)) continue;
      console.log(`\nIncremental sync PostgreSQL -> ${title}`);
      const sluice = timed(process.execPath, [BIN, 'run', name.replaceAll('-', '_')], project);
      report(`Sluice (integration, incremental_dedupe)`, sluice);
      blockTimes(sluice);
      const got = to === 'pg' ? (await pgc.query(pgCheck(`${tag}.dst_sync`))).rows[0] : ((await my.query(mysqlCheck(`${tag}.dst_sync`)))[0] as Record<string, unknown>[])[0];
      await verify('Sluice', got, to === 'pg' ? expectPg : expectMy);
      console.log(`  ${Math.round(rows / sluice.wallS).toLocaleString('en-US')} rows/s (target >= 200,000 rows/s)`);

      // The bound: the same rows as one hand-written bulk upsert, with no batches and no position.
      const out = `psql ${q(PG_URL)} -v ON_ERROR_STOP=1 -q -c ${q(`\\copy (SELECT id, qty, amount, note, created_at, ${to === 'pg' ? 'active' : 'active::int'} FROM ${tag}.src) TO ${to === 'pg' ? 'STDOUT' : `'${join(dir, 'bound.csv')}'`} (FORMAT csv)`)}`;
      let bound: Measure;
      if (to === 'pg') {
        await pgc.query(`CREATE TABLE ${tag}.dst_bound (LIKE ${tag}.src INCLUDING ALL)`);
        const script = join(dir, 'bound.psql');
        writeFileSync(script, pgUpsertScript(`${tag}.dst_bound`, 'pstdin', false));
        bound = timed('bash', ['-o', 'pipefail', '-c', `${out} | psql ${q(PG_URL)} -v ON_ERROR_STOP=1 -q -f ${q(script)}`]);
        await verify('bound', (await pgc.query(pgCheck(`${tag}.dst_bound`))).rows[0], expectPg);
        await pgc.query(`DROP TABLE ${tag}.dst_sync, ${tag}.dst_bound`);
      } else {
        await my.query(`CREATE TABLE ${tag}.dst_bound LIKE ${tag}.src`);
        bound = timed('bash', ['-c', `${out} && mariadb ${mysqlArgs.map(q).join(' ')} --local-infile=1 ${tag} -e ${q(mysqlUpsertSql(join(dir, 'bound.csv'), 'dst_bound', false))}`]);
        await verify('bound', ((await my.query(mysqlCheck(`${tag}.dst_bound`)))[0] as Record<string, unknown>[])[0], expectMy);
        await my.query(`DROP TABLE ${tag}.dst_sync, ${tag}.dst_bound`);
        rmSync(join(dir, 'bound.csv'), { force: true });
      }
      report('bound (one hand-written bulk upsert, \\copy out)', bound);
      console.log(`  ratio Sluice / bound: ${(sluice.wallS / bound.wallS).toFixed(2)}x the time`);
    }
  } finally {
    await cleanUp(pgc, my, tag, dir);
  }
  if (failed) process.exitCode = 1;
}

function syncPipeline(to: string): string {
  return `kind: integration
description: incremental sync benchmark, pg -> ${to}
source: pg
destination: ${to}
streams:
  - table: src
    destination_table: dst_sync
    cursor: id
    mode: incremental_dedupe
`;
}

function pipeline(from: string, to: string, table: string): string {
  return `description: transfer benchmark, ${from} -> ${to}
blocks:
  - name: source
    role: loader
    connection: ${from}
    settings: { table: src }
  - name: target
    role: exporter
    connection: ${to}
    upstream: [source]
    settings: { table: ${table}, mode: replace }
`;
}

await main();
