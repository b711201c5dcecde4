/**
 * Upsert and merge into PostgreSQL and MariaDB, Sluice next to the hand-written bulk path, in one run:
 *
 *   npm run bench:upsert -- [--rows 1000000] [--runs 1] [--only pg,mysql]
 *
 * The target holds `rows` rows (id 1..rows, the benchmark table of bench-common.ts); the input is a CSV
 * file of `rows` rows of which 10% carry a key already in the target (with other values) and 90% are new.
 *
 *   Sluice upsert  `sluice run` of a file loader and an exporter in mode upsert, key id.
 *   Sluice merge   the same with mode merge (delete the keys in the input, then insert the input).
 *   hand-written   PostgreSQL: one transaction of CREATE TEMP TABLE, psql \copy of the file into it and
 *                  INSERT ... SELECT ... ON CONFLICT (id) DO UPDATE.
 *                  MariaDB: CREATE TEMPORARY TABLE, LOAD DATA LOCAL INFILE, INSERT ... SELECT ... ON
 *                  DUPLICATE KEY UPDATE, committed together.
 *
 * The target is rebuilt from a template before each approach (untimed). Every approach must leave the
 * target with the hand-written path's checksums; otherwise MISMATCH and exit code 1. Wall time and peak
 * RSS come from /usr/bin/time -v; ratios are Sluice's median wall time over the hand-written path's.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { benchColumns, benchColumnsMysql, blockTimes, cleanUp, mysqlCheck, mysqlCliArgs, openClients, PG_URL, pgCheck, q, REPO, reportLine, timed, writeProject, mysqlLoadData, mysqlUpsertSql, pgUpsertScript, type Measure } from './bench-common.ts';

const BIN = join(REPO, 'bin', 'sluice.js');
const { values } = parseArgs({ options: { rows: { type: 'string', default: '1000000' }, runs: { type: 'string', default: '1' }, only: { type: 'string', default: 'pg,mysql' } } });
const rows = Number(values.rows);
const runs = Math.max(1, Number(values.runs));
const only = new Set(values.only.split(','));
const updates = Math.round(rows / 10);
const tag = `sluice_bench_upsert_${process.pid}`;

async function main(): Promise<void> {
  const { pgc, my } = await openClients();
  const dir = mkdtempSync(join(tmpdir(), 'sluice-bench-upsert-'));
  let failed = false;
  try {
    console.log(`upsert benchmark: ${rows.toLocaleString('en-US')} input rows, ${updates.toLocaleString('en-US')} of them updates, into ${rows.toLocaleString('en-US')} rows; schema/database ${tag}`);
    const existing = join(dir, 'existing.csv');
    const input = join(dir, 'input.csv');
    await pgc.query(`CREATE SCHEMA ${tag}`);
    await pgc.query(`CREATE TABLE ${tag}.tpl (${benchColumns})`);
    // The rows already there differ from the input's in every column but the key, so an update changes the row.
    await pgc.query(`INSERT INTO ${tag}.tpl SELECT i, (i * 11) % 1000, ((i * 13) % 100000) / 100.0, 'old ' || md5(i::text), TIMESTAMP '2023-01-01' + i * INTERVAL '7 seconds', i % 2 = 0 FROM generate_series(1, ${rows}) i`);
    const first = rows - updates + 1;
    const csvOf = (select: string, file: string): string => `\\copy (${select}) TO '${file}' (FORMAT csv, HEADER)`;
    const shell = (script: string): Measure => timed('bash', ['-o', 'pipefail', '-c', script]);
    shell(
      [
        `psql ${q(PG_URL)} -v ON_ERROR_STOP=1 -q -c ${q(csvOf(`SELECT id, qty, amount, note, created_at, active::int AS active FROM ${tag}.tpl`, existing))}`,
        `psql ${q(PG_URL)} -v ON_ERROR_STOP=1 -q -c ${q(csvOf(`SELECT i AS id, (i * 7) % 1000 AS qty, ((i * 37) % 100000) / 100.0 AS amount, 'customer ' || md5(i::text) AS note, TIMESTAMP '2024-01-01' + i * INTERVAL '17 seconds' AS created_at, (i % 3 = 0)::int AS active FROM generate_series(${first}, ${first + rows - 1}) i`, input))}`,
      ].join(' && '),
    );
    await pgc.query(`ANALYZE ${tag}.tpl`);
    await my.query(`CREATE DATABASE ${tag} CHARACTER SET utf8mb4`);
    await my.query(`CREATE TABLE ${tag}.tpl (${benchColumnsMysql}) ENGINE=InnoDB`);
    shell(`mariadb ${mysqlCliArgs().map(q).join(' ')} --local-infile=1 ${tag} -e ${q(`SET time_zone = '+00:00'; ${mysqlLoadData(existing, 'tpl', true)}`)}`);

    const pipelines: Record<string, string> = {};
    for (const to of ['pg', 'maria']) for (const mode of ['upsert', 'merge']) pipelines[`${mode}_${to}`] = pipeline(input, to, mode);
    const project = writeProject(dir, 'bench_upsert', tag, pipelines);

    const sides = [
      {
        name: 'pg',
        title: 'PostgreSQL',
        reset: async () => {
          await pgc.query(`DROP TABLE IF EXISTS ${tag}.t`);
          await pgc.query(`CREATE TABLE ${tag}.t (LIKE ${tag}.tpl INCLUDING ALL)`);
          await pgc.query(`INSERT INTO ${tag}.t SELECT * FROM ${tag}.tpl`);
          await pgc.query(`VACUUM ANALYZE ${tag}.t`);
        },
        check: async () => (await pgc.query(pgCheck(`${tag}.t`))).rows[0] as Record<string, unknown>,
        handWritten: {
          label: 'hand-written (\\copy to temp, ON CONFLICT)',
          run: () => {
            const script = join(dir, 'upsert.psql');
            writeFileSync(script, pgUpsertScript(`${tag}.t`, q(input), true));
            return shell(`psql ${q(PG_URL)} -v ON_ERROR_STOP=1 -q -f ${q(script)}`);
          },
        },
      },
      {
        name: 'mysql',
        title: 'MariaDB',
        reset: async () => {
          await my.query(`DROP TABLE IF EXISTS ${tag}.t`);
          await my.query(`CREATE TABLE ${tag}.t LIKE ${tag}.tpl`);
          await my.query(`INSERT INTO ${tag}.t SELECT * FROM ${tag}.tpl`);
          await my.query(`ANALYZE TABLE ${tag}.t`);
        },
        check: async () => ((await my.query(mysqlCheck(`${tag}.t`)))[0] as Record<string, unknown>[])[0]!,
        handWritten: {
          label: 'hand-written (LOAD DATA to temp, ON DUPLICATE KEY)',
          run: () => shell(`mariadb ${mysqlCliArgs().map(q).join(' ')} --local-infile=1 ${tag} -e ${q(mysqlUpsertSql(input, 't', true))}`),
        },
      },
    ];

    for (const side of sides) {
      if (!only.has(side.name)) continue;
      console.log(`\n${side.title}`);
      const to = side.name === 'pg' ? 'pg' : 'maria';
      const walls: Record<string, number[]> = { native: [], upsert: [], merge: [] };
      // Runs alternate the approaches, so a busy spell on a shared machine falls on all of them.
      for (let run = 0; run < runs; run++) {
        await side.reset();
        const native = side.handWritten.run();
        walls.native!.push(native.wallS);
        console.log(reportLine(side.handWritten.label, rows, native));
        const want = await side.check();
        if (Number(want.n) !== rows * 2 - updates) {
          failed = true;
          console.log(`  hand-written: MISMATCH, ${String(want.n)} rows, want ${rows * 2 - updates}`);
        }
        for (const mode of ['upsert', 'merge']) {
          await side.reset();
          const sluice = timed(process.execPath, [BIN, 'run', `${mode}_${to}`], project);
          walls[mode]!.push(sluice.wallS);
          console.log(reportLine(`Sluice ${mode}`, rows, sluice));
          blockTimes(sluice);
          const got = await side.check();
          const same = JSON.stringify(got) === JSON.stringify(want);
          if (!same) failed = true;
          console.log(`  ${same ? 'checksums match the hand-written path' : `MISMATCH\n    got  ${JSON.stringify(got)}\n    want ${JSON.stringify(want)}`}`);
        }
      }
      for (const mode of ['upsert', 'merge']) {
        const ratio = median(walls[mode]!) / median(walls.native!);
        console.log(`  ratio Sluice ${mode} / hand-written: ${ratio.toFixed(2)}x the time, median of ${runs} (target <= 1.5x)`);
      }
    }
  } finally {
    await cleanUp(pgc, my, tag, dir);
  }
  if (failed) process.exitCode = 1;
}


function median(values: readonly number[]): number {
  const sorted = [...values].sort((x, y) => x - y);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

function pipeline(input: string, to: string, mode: string): string {
  return `description: upsert benchmark, csv -> ${to}, ${mode}
blocks:
  - name: source
    role: loader
    connector: file
    settings:
      path: ${JSON.stringify(input)}
      format: csv
      columns: { id: BIGINT, qty: INTEGER, amount: "DECIMAL(12,2)", note: VARCHAR, created_at: TIMESTAMP, active: BOOLEAN }
  - name: target
    role: exporter
    connection: ${to}
    upstream: [source]
    settings: { table: t, mode: ${mode}, key: id }
`;
}

await main();
