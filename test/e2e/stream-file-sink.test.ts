import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { DuckDBInstance } from '@duckdb/node-api';
import { stop } from './cli-helpers.ts';
import { createStreamWorld, publishToRedis, startStream, type StreamWorld } from './stream-fixtures.ts';
import { requirePrerequisites } from '../../src/testing/require-prerequisites.ts';
import { waitFor } from '../../src/testing/wait-for.ts';

const skip = await requirePrerequisites('postgres', 'redis');
const heavy = process.env.SLUICE_HEAVY === '1';

/** Every file under `dir`, relative to it, hidden ones included. */
function filesUnder(dir: string): string[] {
  try {
    return readdirSync(dir, { recursive: true, withFileTypes: true })
      .filter((e) => e.isFile())
      .map((e) => path.relative(dir, path.join(e.parentPath, e.name)))
      .sort();
  } catch {
    return [];
  }
}

/** The records in the JSONL files under `dir`, closed or still open, each with the file it is in. */
function jsonlRecords(dir: string): { file: string; id: number; at: string }[] {
  return filesUnder(dir).flatMap((file) =>
    readFileSync(path.join(dir, file), 'utf8')
      .split('\n')
      .filter((line) => line.trim())
      .map((line) => ({ file, ...(JSON.parse(line) as { id: number; at: string }) })),
  );
}

/** Event i happens on one of three days, so the rows fall into three partitions. */
const eventAt = (id: number) => new Date(Date.UTC(2026, 2, 1 + (id % 3), 12, 0, id % 60)).toISOString();

describe('a streaming pipeline writing rolling files partitioned by event time', { skip }, () => {
  let world: StreamWorld;
  const drops: (() => Promise<void>)[] = [];
  const key = `files_${randomBytes(4).toString('hex')}`;
  const total = heavy ? 50_000 : 3000;
  before(async () => {
    world = await createStreamWorld('stream_files');
    const events = Array.from({ length: total }, (_, i) => JSON.stringify({ id: i + 1, at: eventAt(i + 1), amount: (i + 1) / 4 }));
    drops.push((await publishToRedis(`${key}_jsonl`, events)).drop);
    drops.push((await publishToRedis(`${key}_parquet`, events.slice(0, 1000))).drop);
    const pipeline = (format: string, roll: string) =>
      [
        'kind: streaming',
        `source: { type: redis_streams, stream: ${key}_${format} }`,
        'payload: { columns: { id: BIGINT NOT NULL, at: TIMESTAMP NOT NULL, amount: DOUBLE } }',
        'batch_size: 100',
        'batch_wait: 20ms',
        'dead_letter_connection: pg',
        'sinks:',
        `  - { type: file, path: "out_${format}/{date}/part-*.${format}", event_time: at, roll: ${roll} }`,
        '',
      ].join('\n');
    world.pipeline('to_jsonl', pipeline('jsonl', '{ records: 400 }'));
    world.pipeline('to_parquet', pipeline('parquet', '{ records: 250 }'));
  });
  after(async () => {
    for (const drop of drops) await drop();
    await world?.close();
  });

  it('writes each record exactly once through SIGKILLs, into the partition of its event date, every file closed by a rename', async () => {
    const out = path.join(world.dir, 'out_jsonl');
    const kills = heavy ? 10 : 3;
    for (let k = 0; k < kills; k++) {
      const target = Math.floor((total * (k + Math.random())) / (kills + 1));
      const run = startStream(world.dir, 'to_jsonl');
      await waitFor(() => new Set(jsonlRecords(out).map((r) => r.id)).size >= target || run.child.exitCode !== null, { what: `${target} records before kill ${k + 1}` });
      assert.equal(run.child.exitCode, null, run.output());
      await stop(run.child, 'SIGKILL');
    }
    const last = startStream(world.dir, 'to_jsonl');
    await waitFor(() => new Set(jsonlRecords(out).map((r) => r.id)).size >= total, { what: `all ${total} records`, giveUpWhen: () => (last.child.exitCode !== null ? last.output() : undefined) });
    await stop(last.child, 'SIGINT');
    assert.equal(await last.exited, 0, last.output());

    // A clean stop closes every file: none is left under its temporary name.
    assert.deepEqual(filesUnder(out).filter((f) => !/^2026-03-0[123]\/part-\d{6}\.jsonl$/.test(f)), []);
    const records = jsonlRecords(out);
    assert.equal(records.length, total, 'no record written twice');
    assert.equal(new Set(records.map((r) => r.id)).size, total, 'no record lost');
    for (const r of records) assert.equal(r.file.slice(0, 10), r.at.slice(0, 10), `record ${r.id} in the partition of its event date`);
    // A file rolls after the batch that brings it to 400 records (batches are at most 100); a clean stop closes the last, shorter ones.
    for (const file of filesUnder(out)) assert.ok(records.filter((r) => r.file === file).length < 400 + 100, file);
  });

  it('writes Parquet files a reader takes as they are, with the payload types', async () => {
    const run = startStream(world.dir, 'to_parquet');
    const out = path.join(world.dir, 'out_parquet');
    await waitFor(() => filesUnder(out).filter((f) => /^2026-03-0[123]\/part-\d{6}\.parquet$/.test(f)).length >= 3, { what: 'a Parquet file closed in each partition', giveUpWhen: () => (run.child.exitCode !== null ? run.output() : undefined) });
    // The sink's state file says what it committed.
    const committed = () => {
      const dir = path.join(world.dir, '.sluice/streams/to_parquet');
      const state = readdirSync(dir).find((f) => /^file-sink-\w+\.json$/.test(f));
      return state ? (JSON.parse(readFileSync(path.join(dir, state), 'utf8')) as { progress: { records: number } }).progress.records : 0;
    };
    await waitFor(() => committed() >= 1000, { what: 'all 1,000 records committed', giveUpWhen: () => (run.child.exitCode !== null ? run.output() : undefined) });
    await stop(run.child, 'SIGINT');
    assert.equal(await run.exited, 0, run.output());
    // The stop closed the files still open.
    assert.deepEqual(filesUnder(out).filter((f) => !/^2026-03-0[123]\/part-\d{6}\.parquet$/.test(f)), []);
    const instance = await DuckDBInstance.create(':memory:');
    try {
      const connection = await instance.connect();
      const read = async (sql: string) => (await connection.runAndReadAll(sql)).getRowObjectsJS();
      const glob = path.join(out, '*', '*.parquet').replaceAll("'", "''");
      const [row] = await read(`SELECT count(*) AS n, count(DISTINCT id) AS k, sum(id) AS s, sum(CASE WHEN filename LIKE '%/' || CAST(CAST("at" AS DATE) AS VARCHAR) || '/%' THEN 0 ELSE 1 END) AS misplaced FROM read_parquet('${glob}', filename = true)`);
      assert.deepEqual({ n: Number(row!.n), k: Number(row!.k), s: Number(row!.s), misplaced: Number(row!.misplaced) }, { n: 1000, k: 1000, s: 500_500, misplaced: 0 });
      const types = await read(`DESCRIBE SELECT * FROM read_parquet('${glob}')`);
      assert.deepEqual(types.map((t) => `${t.column_name} ${t.column_type}`), ['id BIGINT', 'at TIMESTAMP', 'amount DOUBLE']);
    } finally {
      instance.closeSync();
    }
  });
});
