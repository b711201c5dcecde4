/**
 * Database-to-database transfer, Sluice next to the databases' own bulk paths, in one run:
 *
 *   npm run bench:transfer -- [--rows 1000000] [--only pg-to-mysql,mysql-to-pg]
 *
 * The table: id BIGINT key, qty INT, amount NUMERIC(12,2), note TEXT, created_at TIMESTAMP,
 * active BOOLEAN, generated in PostgreSQL and in MariaDB (untimed).
 *
 *   pg-to-mysql   Sluice: `sluice run` of a loader (PostgreSQL, COPY out) and an exporter
 *                 (MariaDB, replace) in a child process.
 *                 Native: `psql \copy (...) TO file CSV`, then `LOAD DATA LOCAL INFILE` by the mariadb CLI.
 *   mysql-to-pg   Sluice: the same pipeline the other way (exporter: PostgreSQL COPY, replace).
 *                 Native: `mariadb --batch` (tab-separated, \N for NULL) piped into `psql \copy FROM STDIN`.
 *
 * Every target must hold the source's row count and checksums; otherwise MISMATCH and exit code 1.
 * Wall time and peak RSS come from /usr/bin/time -v (for the native paths, the largest process).
 * Timings are reported, never asserted.
 *
 * PostgreSQL: $SLUICE_BENCH_PG_URL (default postgres://postgres@127.0.0.1:5432/test).
 * MariaDB: $SLUICE_BENCH_MYSQL_URL (default mysql://root@127.0.0.1:3306/test).
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import mysql from 'mysql2/promise';
import pg from 'pg';

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const BIN = join(REPO, 'bin', 'sluice.js');
const PG_URL = process.env.SLUICE_BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const MYSQL_URL = process.env.SLUICE_BENCH_MYSQL_URL ?? 'mysql://root@127.0.0.1:3306/test';

const { values } = parseArgs({ options: { rows: { type: 'string', default: '1000000' }, only: { type: 'string', default: 'pg-to-mysql,mysql-to-pg' } } });
const rows = Number(values.rows);
const only = new Set(values.only.split(','));

const tag = `sluice_bench_xfer_${process.pid}`;
const mysqlUrl = new URL(MYSQL_URL);
const mysqlArgs = ['-h', mysqlUrl.hostname, '-P', mysqlUrl.port || '3306', '-u', decodeURIComponent(mysqlUrl.username) || 'root'];
if (mysqlUrl.password) mysqlArgs.push(`-p${decodeURIComponent(mysqlUrl.password)}`);

interface Measure {
  readonly wallS: number;
  readonly rssMb: number;
  readonly stdout: string;
}

/** Runs a command under /usr/bin/time -v and reads its wall time and peak RSS. */
function timed(command: string, args: readonly string[], cwd = REPO): Measure {
  const result = spawnSync('/usr/bin/time', ['-v', command, ...args], { cwd, encoding: 'utf8', env: { ...process.env, CI: '1', NO_COLOR: '1' }, maxBuffer: 64 * 1024 * 1024 });
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} failed (${result.status}):\n${result.stdout}\n${result.stderr}`);
  const wall = /Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): (?:(\d+):)?(\d+):([\d.]+)/.exec(result.stderr);
  const rss = /Maximum resident set size \(kbytes\): (\d+)/.exec(result.stderr);
  if (!wall || !rss) throw new Error(`no timing in:\n${result.stderr}`);
  return { wallS: Number(wall[1] ?? 0) * 3600 + Number(wall[2]) * 60 + Number(wall[3]), rssMb: Number(rss[1]) / 1024, stdout: result.stdout };
}

/** The same checksums on both sides: rows, distinct keys, sums, a text and a time digest. */
const pgCheck = (table: string) => `SELECT count(*)::text AS n, count(DISTINCT id)::text AS d, sum(qty)::text AS q, sum(amount)::text AS a,
  sum(length(note))::text AS l, sum(CASE WHEN active THEN 1 ELSE 0 END)::text AS t, sum(extract(epoch FROM created_at)::bigint % 100003)::text AS c FROM ${table}`;
const mysqlCheck = (table: string) => `SELECT CAST(count(*) AS CHAR) AS n, CAST(count(DISTINCT id) AS CHAR) AS d, CAST(sum(qty) AS CHAR) AS q, CAST(sum(amount) AS CHAR) AS a,
  CAST(sum(char_length(note)) AS CHAR) AS l, CAST(sum(active <> 0) AS CHAR) AS t, CAST(sum(MOD(CAST(unix_timestamp(created_at) AS SIGNED), 100003)) AS CHAR) AS c FROM ${table}`;

async function main(): Promise<void> {
  const pgc = new pg.Client({ connectionString: PG_URL });
  await pgc.connect();
  const my = await mysql.createConnection({ uri: MYSQL_URL, multipleStatements: true });
  // Both sides read and write times as UTC, so the time digest compares.
  await my.query("SET time_zone = '+00:00'");
  await pgc.query("SET TimeZone = 'UTC'");
  const dir = mkdtempSync(join(tmpdir(), 'sluice-bench-transfer-'));
  let failed = false;
  try {
    console.log(`transfer benchmark: ${rows.toLocaleString('en-US')} rows; PostgreSQL schema and MariaDB database ${tag}`);
    await pgc.query(`CREATE SCHEMA ${tag}`);
    await my.query(`CREATE DATABASE ${tag} CHARACTER SET utf8mb4`);
    const columns = 'id BIGINT PRIMARY KEY, qty INT NOT NULL, amount NUMERIC(12,2) NOT NULL, note TEXT NOT NULL, created_at TIMESTAMP NOT NULL, active BOOLEAN NOT NULL';
    await pgc.query(`CREATE TABLE ${tag}.src (${columns})`);
    await pgc.query(`INSERT INTO ${tag}.src SELECT i, (i * 7) % 1000, ((i * 37) % 100000) / 100.0, 'customer ' || md5(i::text), TIMESTAMP '2024-01-01' + i * INTERVAL '17 seconds', i % 3 = 0 FROM generate_series(1, ${rows}) i`);
    await my.query(`CREATE TABLE ${tag}.src (${columns.replace('created_at TIMESTAMP', 'created_at DATETIME')}) ENGINE=InnoDB`);
    await my.query(`INSERT INTO ${tag}.src SELECT seq, (seq * 7) % 1000, ((seq * 37) % 100000) / 100.0, CONCAT('customer ', md5(seq)), TIMESTAMP '2024-01-01 00:00:00' + INTERVAL seq * 17 SECOND, seq % 3 = 0 FROM seq_1_to_${rows}`);
    const expectPg = (await pgc.query(pgCheck(`${tag}.src`))).rows[0];
    const expectMy = ((await my.query(mysqlCheck(`${tag}.src`)))[0] as Record<string, unknown>[])[0];

    const project = join(dir, 'project');
    const files: Record<string, string> = {
      'sluice.yaml': 'name: bench_transfer\n',
      'connections.yaml': `connections:\n  pg:\n    type: postgres\n    url: ${PG_URL}\n    schema: ${tag}\n  maria:\n    type: mysql\n    url: ${Object.assign(new URL(MYSQL_URL), { pathname: `/${tag}` }).toString()}\n`,
      'pipelines/pg_to_mysql.yaml': pipeline('pg', 'maria', 'dst_sluice'),
      'pipelines/mysql_to_pg.yaml': pipeline('maria', 'pg', 'dst_sluice'),
    };
    for (const [file, text] of Object.entries(files)) {
      mkdirSync(dirname(join(project, file)), { recursive: true });
      writeFileSync(join(project, file), text);
    }

    const report = (label: string, m: Measure): void =>
      console.log(`  ${label.padEnd(44)} ${m.wallS.toFixed(1).padStart(6)} s  ${Math.round(rows / m.wallS).toLocaleString('en-US').padStart(9)} rows/s  peak RSS ${Math.round(m.rssMb).toString().padStart(5)} MB`);
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
        `mariadb ${mysqlArgs.map(q).join(' ')} --local-infile=1 ${tag} -e ${q(`SET time_zone = '+00:00'; LOAD DATA LOCAL INFILE '${csv}' INTO TABLE dst_native FIELDS TERMINATED BY ',' OPTIONALLY ENCLOSED BY '"' ESCAPED BY '' LINES TERMINATED BY '\\n'`)}`,
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
  } finally {
    await pgc.query(`DROP SCHEMA IF EXISTS ${tag} CASCADE`).catch(() => undefined);
    await my.query(`DROP DATABASE IF EXISTS ${tag}`).catch(() => undefined);
    await pgc.end();
    await my.end();
    rmSync(dir, { recursive: true, force: true });
  }
  if (failed) process.exitCode = 1;
}

/** The run's own per-block lines (status, rows, time), where the time went. */
function blockTimes(m: Measure): void {
  for (const line of m.stdout.split('\n')) if (/^\s*✓/.test(line)) console.log(`      ${line.trim().replace(/\s+/g, ' ')}`);
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

/** Single-quotes a shell word. */
function q(word: string): string {
  return `'${word.replaceAll("'", "'\\''")}'`;
}

await main();
