/**
 * What the database benchmarks (transfer, upsert) share: timing a command under /usr/bin/time,
 * the same checksums on PostgreSQL and MariaDB, and shell quoting. Timings are reported, never asserted.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import mysql from 'mysql2/promise';
import pg from 'pg';

export const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const PG_URL = process.env.SLUICE_BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
export const MYSQL_URL = process.env.SLUICE_BENCH_MYSQL_URL ?? 'mysql://root@127.0.0.1:3306/test';

/** The mariadb CLI's connection arguments for MYSQL_URL. */
export function mysqlCliArgs(): string[] {
  const url = new URL(MYSQL_URL);
  const args = ['-h', url.hostname, '-P', url.port || '3306', '-u', decodeURIComponent(url.username) || 'root'];
  if (url.password) args.push(`-p${decodeURIComponent(url.password)}`);
  return args;
}

/** MYSQL_URL with its database set to `database`. */
function mysqlUrlFor(database: string): string {
  return Object.assign(new URL(MYSQL_URL), { pathname: `/${database}` }).toString();
}

export interface Measure {
  readonly wallS: number;
  readonly rssMb: number;
  readonly stdout: string;
}

/** Runs a command under /usr/bin/time -v and reads its wall time and peak RSS. */
export function timed(command: string, args: readonly string[], cwd = REPO, env: Record<string, string> = {}): Measure {
  const result = spawnSync('/usr/bin/time', ['-v', command, ...args], { cwd, encoding: 'utf8', env: { ...process.env, CI: '1', NO_COLOR: '1', ...env }, maxBuffer: 64 * 1024 * 1024 });
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} failed (${result.status}):\n${result.stdout}\n${result.stderr}`);
  const wall = /Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): (?:(\d+):)?(\d+):([\d.]+)/.exec(result.stderr);
  const rss = /Maximum resident set size \(kbytes\): (\d+)/.exec(result.stderr);
  if (!wall || !rss) throw new Error(`no timing in:\n${result.stderr}`);
  return { wallS: Number(wall[1] ?? 0) * 3600 + Number(wall[2]) * 60 + Number(wall[3]), rssMb: Number(rss[1]) / 1024, stdout: result.stdout };
}

/** The benchmark table: id BIGINT key, qty INT, amount NUMERIC(12,2), note TEXT, created_at TIMESTAMP, active BOOLEAN. */
export const benchColumns = 'id BIGINT PRIMARY KEY, qty INT NOT NULL, amount NUMERIC(12,2) NOT NULL, note TEXT NOT NULL, created_at TIMESTAMP NOT NULL, active BOOLEAN NOT NULL';
export const benchColumnsMysql = benchColumns.replace('created_at TIMESTAMP', 'created_at DATETIME');
/** Rows first..last of the benchmark table, as a PostgreSQL SELECT. */
export const pgRows = (first: number, last: number): string =>
  `SELECT i, (i * 7) % 1000, ((i * 37) % 100000) / 100.0, 'customer ' || md5(i::text), TIMESTAMP '2024-01-01' + i * INTERVAL '17 seconds', i % 3 = 0 FROM generate_series(${first}, ${last}) i`;

/** The same checksums on both sides: rows, distinct keys, sums, a text and a time digest. */
export const pgCheck = (table: string): string => `SELECT count(*)::text AS n, count(DISTINCT id)::text AS d, sum(qty)::text AS q, sum(amount)::text AS a,
  sum(length(note))::text AS l, sum(CASE WHEN active THEN 1 ELSE 0 END)::text AS t, sum(extract(epoch FROM created_at)::bigint % 100003)::text AS c FROM ${table}`;
export const mysqlCheck = (table: string): string => `SELECT CAST(count(*) AS CHAR) AS n, CAST(count(DISTINCT id) AS CHAR) AS d, CAST(sum(qty) AS CHAR) AS q, CAST(sum(amount) AS CHAR) AS a,
  CAST(sum(char_length(note)) AS CHAR) AS l, CAST(sum(active <> 0) AS CHAR) AS t, CAST(sum(MOD(CAST(unix_timestamp(created_at) AS SIGNED), 100003)) AS CHAR) AS c FROM ${table}`;

/** One line of figures. */
export function reportLine(label: string, rows: number, m: Measure): string {
  return `  ${label.padEnd(48)} ${m.wallS.toFixed(1).padStart(6)} s  ${Math.round(rows / m.wallS).toLocaleString('en-US').padStart(9)} rows/s  peak RSS ${Math.round(m.rssMb).toString().padStart(5)} MB`;
}

/** The run's own per-block lines (status, rows, time), where the time went. */
export function blockTimes(m: Measure): void {
  for (const line of m.stdout.split('\n')) if (/^\s*✓/.test(line)) console.log(`      ${line.trim().replace(/\s+/g, ' ')}`);
}

/** Single-quotes a shell word. */
export function q(word: string): string {
  return `'${word.replaceAll("'", "'\\''")}'`;
}

/** A client on each server, both reading and writing times as UTC so the time digests compare. */
export async function openClients(): Promise<{ pgc: pg.Client; my: mysql.Connection }> {
  const pgc = new pg.Client({ connectionString: PG_URL });
  await pgc.connect();
  await pgc.query("SET TimeZone = 'UTC'");
  const my = await mysql.createConnection({ uri: MYSQL_URL, multipleStatements: true });
  await my.query("SET time_zone = '+00:00'");
  return { pgc, my };
}

/** Writes a Sluice project whose connections `pg` and `maria` point at schema/database `tag`; returns its folder. */
export function writeProject(dir: string, name: string, tag: string, pipelines: Record<string, string>): string {
  const project = join(dir, 'project');
  const files: Record<string, string> = {
    'sluice.yaml': `name: ${name}\n`,
    'connections.yaml': `connections:\n  pg:\n    connector: postgres\n    url: ${PG_URL}\n    schema: ${tag}\n  maria:\n    connector: mysql\n    url: ${mysqlUrlFor(tag)}\n`,
  };
  for (const [pipeline, text] of Object.entries(pipelines)) files[`pipelines/${pipeline}.yaml`] = text;
  for (const [file, text] of Object.entries(files)) {
    mkdirSync(dirname(join(project, file)), { recursive: true });
    writeFileSync(join(project, file), text);
  }
  return project;
}

/** Drops what a benchmark made on both servers and in `dir`, and closes the clients. */
export async function cleanUp(pgc: pg.Client, my: mysql.Connection, tag: string, dir: string): Promise<void> {
  await pgc.query(`DROP SCHEMA IF EXISTS ${tag} CASCADE`).catch(() => undefined);
  await my.query(`DROP DATABASE IF EXISTS ${tag}`).catch(() => undefined);
  await pgc.end();
  await my.end();
  rmSync(dir, { recursive: true, force: true });
}

const updated = ['qty', 'amount', 'note', 'created_at', 'active'];

/**
 * The hand-written PostgreSQL upsert, as a psql script: one transaction of a temporary copy of
 * `table`, `\copy` of `from` (a CSV file, or pstdin) into it and INSERT ... ON CONFLICT (id) DO UPDATE.
 */
export function pgUpsertScript(table: string, from: string, header: boolean): string {
  return [
    'BEGIN;',
    `CREATE TEMP TABLE s (LIKE ${table}) ON COMMIT DROP;`,
    `\\copy s FROM ${from} (FORMAT csv${header ? ', HEADER' : ''})`,
    `INSERT INTO ${table} SELECT * FROM s ON CONFLICT (id) DO UPDATE SET ${updated.map((c) => `${c} = EXCLUDED.${c}`).join(', ')};`,
    'COMMIT;',
  ].join('\n');
}

/** The hand-written MariaDB upsert: LOAD DATA of a CSV file into a temporary copy of `table`, then INSERT ... ON DUPLICATE KEY UPDATE, in one transaction. */
export function mysqlUpsertSql(file: string, table: string, header: boolean): string {
  return [
    "SET time_zone = '+00:00'",
    'START TRANSACTION',
    `CREATE TEMPORARY TABLE s LIKE ${table}`,
    mysqlLoadData(file, 's', header),
    `INSERT INTO ${table} SELECT * FROM s ON DUPLICATE KEY UPDATE ${updated.map((c) => `${c} = VALUES(${c})`).join(', ')}`,
    'COMMIT',
  ].join('; ');
}

/** LOAD DATA LOCAL of a CSV file (as psql \copy writes it) into `table`. */
export function mysqlLoadData(file: string, table: string, header: boolean): string {
  return `LOAD DATA LOCAL INFILE '${file}' INTO TABLE ${table} FIELDS TERMINATED BY ',' OPTIONALLY ENCLOSED BY '"' ESCAPED BY '' LINES TERMINATED BY '\\n'${header ? ' IGNORE 1 LINES' : ''}`;
}
