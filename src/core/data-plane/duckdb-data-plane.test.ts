import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { after, before, describe, it } from 'node:test';
import { SluiceError } from '../errors.ts';
import { quoteLiteral } from '../sql/quote.ts';
import type { DataPlane, DataPlaneSession, FileReadSpec, Row } from './data-plane.ts';
import { createDuckDbDataPlane } from './duckdb-data-plane.ts';

let dir: string;
let plane: DataPlane;
let session: DataPlaneSession;
let counter = 0;

before(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sluice-'));
  plane = await createDuckDbDataPlane({ tempDir: path.join(dir, 'spill') });
  session = await plane.openSession();
});

after(async () => {
  await plane.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

/** A fresh place for a stored output. */
const output = (): string => path.join(dir, 'outputs', `out${++counter}.parquet`);

function write(name: string, content: string | Buffer): string {
  const file = path.join(dir, 'files', name);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, content);
  return file;
}

const readBack = (location: string, columns = '*', order = ''): Promise<Row[]> =>
  session.query(`SELECT ${columns} FROM read_parquet(${quoteLiteral(location)}) ${order}`);

async function* batches(...list: Row[][]): AsyncIterable<Row[]> {
  for (const batch of list) yield batch;
}

async function rejection(promise: Promise<unknown>): Promise<SluiceError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof SluiceError, `expected a SluiceError, got ${String(error)}`);
    return error;
  }
  return assert.fail('expected a failure');
}

const leftovers = (location: string): string[] =>
  fs.readdirSync(path.dirname(location)).filter((f) => f.startsWith(path.basename(location)) && f.endsWith('.partial'));

describe('storeQuery', () => {
  it('stores a query result as Parquet and reports its rows and columns', async () => {
    const location = output();
    const stored = await session.storeQuery(`SELECT range AS id, 'n' || range AS name FROM range(5)`, location);
    assert.deepEqual(stored, {
      location,
      rows: 5,
      columns: [
        { name: 'id', type: 'BIGINT' },
        { name: 'name', type: 'VARCHAR' },
      ],
    });
    assert.equal(fs.readFileSync(location).subarray(0, 4).toString(), 'PAR1');
    assert.deepEqual(await readBack(location, 'count(*)::INT AS n'), [{ n: 5 }]);
    assert.deepEqual(leftovers(location), []);
  });

  it('keeps a sum of BIGINTs exact by storing it as DECIMAL(38,0)', async () => {
    const location = output();
    const stored = await session.storeQuery(
      `SELECT sum(x) AS total FROM (VALUES (9223372036854775807::BIGINT), (9223372036854775807::BIGINT), (3::BIGINT)) t(x)`,
      location,
    );
    assert.deepEqual(stored.columns, [{ name: 'total', type: 'DECIMAL(38,0)' }]);
    assert.deepEqual(await readBack(location, 'total::VARCHAR AS total'), [{ total: '18446744073709551617' }]);
  });

  it('leaves an earlier output in place and no partial file when a query fails', async () => {
    const location = output();
    await session.storeQuery('SELECT 1 AS kept', location);
    await assert.rejects(session.storeQuery(`SELECT error('boom') AS x`, location), /boom/);
    assert.deepEqual(await readBack(location), [{ kept: 1 }]);
    assert.deepEqual(leftovers(location), []);
  });

  it('stops before starting when the signal is already aborted', async () => {
    const location = output();
    const controller = new AbortController();
    controller.abort(new Error('cancelled by test'));
    await assert.rejects(session.storeQuery('SELECT 1 AS x', location, controller.signal), /cancelled by test/);
    assert.equal(fs.existsSync(location), false);
  });

  it('makes a stored output readable as a table once attached', async () => {
    const stored = await session.storeQuery('SELECT 41 + range AS v FROM range(2)', output());
    await session.attach('answers', stored);
    assert.deepEqual(await session.query('SELECT max(v)::INT AS v FROM answers'), [{ v: 42 }]);
  });
});

describe('storeRows', () => {
  it('stores batches of JS rows with declared DECIMAL and DATE types from strings', async () => {
    const stored = await session.storeRows(
      batches([{ id: 1, amount: '12.34', day: '2024-05-01' }, { id: 2, amount: '0.10', day: '2024-05-02' }], [{ id: 3, amount: null, day: null }]),
      output(),
      { amount: 'DECIMAL(12,2)', day: 'DATE' },
    );
    assert.equal(stored.rows, 3);
    assert.deepEqual(stored.columns, [
      { name: 'id', type: 'BIGINT' },
      { name: 'amount', type: 'DECIMAL(12,2)' },
      { name: 'day', type: 'DATE' },
    ]);
    assert.deepEqual(await readBack(stored.location, 'id::INT AS id, amount::VARCHAR AS amount, day::VARCHAR AS day', 'ORDER BY id'), [
      { id: 1, amount: '12.34', day: '2024-05-01' },
      { id: 2, amount: '0.10', day: '2024-05-02' },
      { id: 3, amount: null, day: null },
    ]);
  });

  it('orders columns as the rows first show them, declared-only columns last', async () => {
    const stored = await session.storeRows(batches([{ b: 1, a: 'x' }, { a: 'y', c: true }]), output(), { d: 'INTEGER' });
    assert.deepEqual(
      stored.columns.map((c) => c.name),
      ['b', 'a', 'c', 'd'],
    );
  });

  it('infers column types from the values of the first batch', async () => {
    const stored = await session.storeRows(
      batches(
        [
          { whole: 1, frac: 1, big: 2n ** 62n, seen: new Date('2024-05-01T10:00:00.250Z'), doc: { k: [1, 2] }, flag: true, none: null },
          { whole: 2, frac: 2.5, big: 1n, seen: null, doc: null, flag: false, none: null },
        ],
        [{ whole: 3, frac: 3, big: 2n, seen: new Date(0), doc: [], flag: null, none: null }],
      ),
      output(),
    );
    assert.deepEqual(
      Object.fromEntries(stored.columns.map((c) => [c.name, c.type])),
      { whole: 'BIGINT', frac: 'DOUBLE', big: 'BIGINT', seen: 'TIMESTAMP', doc: 'JSON', flag: 'BOOLEAN', none: 'VARCHAR' },
    );
    const [first] = await readBack(stored.location, `big::VARCHAR AS big, doc->>'$.k[1]' AS k, seen::VARCHAR AS seen`, 'ORDER BY whole');
    assert.deepEqual(first, { big: String(2n ** 62n), k: '2', seen: '2024-05-01 10:00:00.25' });
  });

  it('brings text back exactly as the block returned it', async () => {
    const texts = ['plain', 'a,b', 'say "hi"', 'two\nlines', 'cr\r\nlf', 'lone\rcr', '', ' padded ', 'ünï ✓', 'null', 'NULL', '"', ',', 'tab\there', '\\n'];
    const stored = await session.storeRows(batches([...texts.map((text, i) => ({ i, text })), { i: texts.length, text: null }]), output());
    const rows = await readBack(stored.location, 'text', 'ORDER BY i');
    assert.deepEqual(
      rows.map((r) => r.text),
      [...texts, null],
    );
  });

  it('fixes a column type with the first batch, so a later fraction in a whole-number column fails at its record', async () => {
    const error = await rejection(session.storeRows(batches([{ n: 1 }, { n: 2 }], [{ n: 3 }, { n: 4.5 }]), output()));
    assert.equal(error.code, 'block.type_mismatch');
    assert.equal(error.location?.record, 4);
    assert.match(error.message, /'n'/);
  });

  it('fails with block.bad_value when a value does not convert to its declared type', async () => {
    const location = output();
    const error = await rejection(
      session.storeRows(batches([{ id: 1, day: '2024-05-01' }, { id: 2, day: '2024-05-02' }], [{ id: 3, day: 'not a date' }]), location, { day: 'DATE' }),
    );
    assert.equal(error.code, 'block.bad_value');
    assert.match(error.message, /not a date/);
    assert.equal(fs.existsSync(location), false);
  });

  it(
    'names the record of a value that does not convert to its declared type',
    async () => {
      const error = await rejection(
        session.storeRows(batches([{ id: 1, day: '2024-05-01' }, { id: 2, day: '2024-05-02' }], [{ id: 3, day: 'not a date' }]), output(), { day: 'DATE' }),
      );
      assert.equal(error.location?.record, 3);
    },
  );

  it(
    'leaves no staged rows behind when the rows of a block fail',
    async () => {
      const staged = () => fs.readdirSync(path.join(dir, 'spill')).filter((f) => f.startsWith('rows-'));
      const before = staged();
      await rejection(session.storeRows(batches([{ a: 1 }], [{ a: 'x' }]), output()));
      // storeRows removes its staging file before it settles: nothing to wait for.
      assert.deepEqual(staged(), before);
    },
  );

  it('refuses a key that appears after the first batch, naming the first record of that batch', async () => {
    const location = output();
    const error = await rejection(session.storeRows(batches([{ a: 1 }, { a: 2 }], [{ a: 3, b: 'late' }]), location));
    assert.equal(error.code, 'block.new_column');
    assert.match(error.message, /'b'/);
    assert.equal(error.location?.record, 3);
    assert.equal(fs.existsSync(location), false);
  });

  it(
    'refuses a new key that first appears in a later row of a later batch',
    async () => {
      const location = output();
      const error = await rejection(session.storeRows(batches([{ a: 1 }], [{ a: 2 }, { a: 3, b: 'late' }]), location));
      assert.equal(error.code, 'block.new_column');
    },
  );

  it('counts records across batches when a value does not fit its column', async () => {
    const error = await rejection(session.storeRows(batches([{ n: 1 }, { n: 2 }], [{ n: 3 }, { n: 'four' }]), output()));
    assert.equal(error.code, 'block.type_mismatch');
    assert.equal(error.location?.record, 4);
  });

  it('stores zero rows as an empty output', async () => {
    const stored = await session.storeRows(batches(), output());
    assert.equal(stored.rows, 0);
    assert.ok(fs.existsSync(stored.location));
    assert.deepEqual(await readBack(stored.location), []);
  });

  it(
    'keeps the declared columns when a block returns no rows',
    async () => {
      const stored = await session.storeRows(batches([]), output(), { id: 'BIGINT', day: 'DATE' });
      assert.equal(stored.rows, 0);
      assert.deepEqual(stored.columns, [
        { name: 'id', type: 'BIGINT' },
        { name: 'day', type: 'DATE' },
      ]);
    },
  );
});

describe('stream', () => {
  it('yields batches of plain JS values', async () => {
    const sql = `SELECT 10::BIGINT AS big, 12.34::DECIMAL(12,2) AS amount, DATE '2024-05-01' AS day, 'x' AS text, NULL::INT AS nothing, true AS flag`;
    const seen: Row[][] = [];
    for await (const batch of session.stream(sql)) seen.push(batch);
    assert.equal(seen.length, 1);
    const [row] = seen[0]!;
    assert.equal(row?.big, 10n);
    assert.equal(row?.amount, 12.34);
    assert.ok(row?.day instanceof Date);
    assert.equal((row.day as Date).toISOString(), '2024-05-01T00:00:00.000Z');
    assert.deepEqual({ text: row.text, nothing: row.nothing, flag: row.flag }, { text: 'x', nothing: null, flag: true });
  });

  it('hands over every row of a large result exactly once', async () => {
    let rows = 0;
    let sum = 0n;
    for await (const batch of session.stream('SELECT range AS i FROM range(20000)', { batchSize: 5000 })) {
      rows += batch.length;
      for (const row of batch) sum += row.i as bigint;
    }
    assert.equal(rows, 20000);
    assert.equal(sum, (19999n * 20000n) / 2n);
  });

  it(
    'hands out batches of at most batchSize rows',
    async () => {
      const sizes: number[] = [];
      for await (const batch of session.stream('SELECT range AS i FROM range(5000)', { batchSize: 100 })) sizes.push(batch.length);
      assert.ok(Math.max(...sizes) <= 100, `largest batch ${Math.max(...sizes)}`);
    },
  );

  it('turns a stream the engine cut short into an error when the row count is known', async () => {
    // The engine ends a stream that fails midway as if it were complete.
    const failing = `SELECT CASE WHEN range > 300000 THEN error('boom') ELSE range END AS i FROM range(1000000)`;
    let rows = 0;
    await assert.rejects(async () => {
      for await (const batch of session.stream(failing, { expectedRows: 1_000_000 })) rows += batch.length;
    }, (error: SluiceError) => error.code === 'data_plane.short_stream' && /stopped after [\d,]+ of 1,000,000 rows/.test(error.message));
    assert.ok(rows < 1_000_000);
    let all = 0;
    for await (const batch of session.stream('SELECT range FROM range(5000)', { expectedRows: 5000 })) all += batch.length;
    assert.equal(all, 5000);
  });
});

describe('storeFiles', () => {
  const read = (spec: FileReadSpec) => session.storeFiles(spec, output());

  it('reads a CSV with its own delimiter and quote', async () => {
    const file = write('semi.csv', "id;name\n1;'a;b'\n2;'c'\n");
    const stored = await read({ paths: [file], format: 'csv', csv: { delimiter: ';', quote: "'" } });
    assert.deepEqual(stored.rejects, []);
    assert.deepEqual(await readBack(stored.location, 'id::INT AS id, name', 'ORDER BY id'), [
      { id: 1, name: 'a;b' },
      { id: 2, name: 'c' },
    ]);
  });

  it('keeps 128-bit whole numbers exact, guessed or declared in any spelling, and the rest as read', async () => {
    const big = '123456789012345678901234567';
    const file = write('wide.csv', `id,guessed,declared,alias,day\n1,${big},${big},-${big},2025-01-02\n`);
    const stored = await read({ paths: [file], format: 'csv', csv: { columns: { declared: 'hugeint', alias: 'INT128', day: 'DATE' } } });
    assert.deepEqual(await readBack(stored.location, 'id, guessed::VARCHAR AS guessed, declared::VARCHAR AS declared, alias::VARCHAR AS alias, day::VARCHAR AS day'), [
      { id: 1n, guessed: big, declared: big, alias: `-${big}`, day: '2025-01-02' },
    ]);
    assert.deepEqual(
      stored.columns.map((c) => c.type),
      ['BIGINT', 'DECIMAL(38,0)', 'DECIMAL(38,0)', 'DECIMAL(38,0)', 'DATE'],
    );
  });

  it('reads a gzipped CSV without a header', async () => {
    const file = write('plain.csv.gz', zlib.gzipSync('1,a\n2,b\n3,c\n'));
    const stored = await read({ paths: [file], format: 'csv', csv: { header: false } });
    assert.equal(stored.rows, 3);
    assert.deepEqual(
      stored.columns.map((c) => c.name),
      ['column0', 'column1'],
    );
  });

  it('reads every file matched by a glob', async () => {
    write('glob/a.csv', 'id,v\n1,x\n2,y\n');
    write('glob/b.csv', 'id,v\n3,z\n');
    write('glob/ignored.txt', 'id,v\n4,w\n');
    const stored = await read({ paths: [path.join(dir, 'files', 'glob', '*.csv')], format: 'csv', filenameColumn: 'src' });
    assert.equal(stored.rows, 3);
    const rows = await readBack(stored.location, 'id::INT AS id, src', 'ORDER BY id');
    assert.deepEqual(
      rows.map((r) => [r.id, path.basename(String(r.src))]),
      [
        [1, 'a.csv'],
        [2, 'a.csv'],
        [3, 'b.csv'],
      ],
    );
  });

  it('reads a TSV with a tab delimiter', async () => {
    const file = write('t.tsv', 'a\tb\n1\thello, world\n');
    const stored = await read({ paths: [file], format: 'csv', csv: { delimiter: '\t' } });
    assert.deepEqual(await readBack(stored.location, 'a::INT AS a, b'), [{ a: 1, b: 'hello, world' }]);
  });

  it('reads a JSON array and JSON lines', async () => {
    const json = write('a.json', JSON.stringify([{ id: 1, tags: ['x'] }, { id: 2, tags: [] }]));
    const fromJson = await read({ paths: [json], format: 'json' });
    assert.equal(fromJson.rows, 2);
    assert.deepEqual(fromJson.columns, [
      { name: 'id', type: 'BIGINT' },
      { name: 'tags', type: 'VARCHAR[]' },
    ]);
    const jsonl = write('a.jsonl', '{"id":1,"v":"a"}\n{"id":2,"v":null}\n{"id":3,"v":"c"}\n');
    const fromLines = await read({ paths: [jsonl], format: 'jsonl' });
    assert.equal(fromLines.rows, 3);
    assert.deepEqual(await readBack(fromLines.location, 'v', 'ORDER BY id'), [{ v: 'a' }, { v: null }, { v: 'c' }]);
  });

  it('reads Parquet', async () => {
    const source = await session.storeQuery(`SELECT range AS id, 2.5::DECIMAL(4,1) AS x FROM range(10)`, output());
    const stored = await read({ paths: [source.location], format: 'parquet' });
    assert.equal(stored.rows, 10);
    assert.deepEqual(stored.columns, source.columns);
  });

  it('fails on a bad CSV row, naming the line of that row in the file', async () => {
    const file = write('bad.csv', 'id,amount\n1,10\n2,20\n3,abc\n4,40\n');
    const location = output();
    const error = await rejection(session.storeFiles({ paths: [file], format: 'csv', csv: { columns: { amount: 'INTEGER' } } }, location));
    assert.equal(error.code, 'file.bad_row');
    assert.deepEqual(error.location, { file, line: 4 });
    assert.match(error.message, /abc/);
    assert.equal(fs.existsSync(location), false);
  });

  it('names the line of a bad row found past the rows the reader samples', async () => {
    const rows = Array.from({ length: 25000 }, (_, i) => `${i + 1},${i}`).join('\n');
    const file = write('late-bad.csv', `id,amount\n${rows}\n25001,oops\n25002,1\n`);
    const error = await rejection(read({ paths: [file], format: 'csv' }));
    assert.equal(error.code, 'file.bad_row');
    assert.deepEqual(error.location, { file, line: 25002 });
  });

  it(
    'names the line of a bad row that follows a quoted field spanning two lines',
    async () => {
      const file = write('multiline.csv', 'id,note,amount\n1,"two\nlines",10\n2,plain,20\n3,x,abc\n');
      const error = await rejection(read({ paths: [file], format: 'csv', csv: { columns: { amount: 'INTEGER' } } }));
      assert.equal(error.code, 'file.bad_row');
      assert.equal(error.location?.line, 5);
    },
  );

  it('keeps the good rows and returns the bad ones when collecting rejects', async () => {
    const file = write('rejects.csv', 'id,amount\n1,10\n2,x\n3,30\n4,y\n');
    const stored = await read({ paths: [file], format: 'csv', csv: { columns: { amount: 'INTEGER' } }, collectRejects: true });
    assert.equal(stored.rows, 2);
    assert.deepEqual(await readBack(stored.location, 'id::INT AS id, amount', 'ORDER BY id'), [
      { id: 1, amount: 10 },
      { id: 3, amount: 30 },
    ]);
    assert.deepEqual(
      stored.rejects.map((r) => ({ file: r.file, line: r.line, column: r.column, text: r.text })),
      [
        { file, line: 3, column: 'amount', text: '2,x' },
        { file, line: 5, column: 'amount', text: '4,y' },
      ],
    );
    for (const reject of stored.rejects) assert.match(reject.reason, /INTEGER/);
  });

  it('names the path of a file that does not exist', async () => {
    const missing = path.join(dir, 'files', 'no-such-file.csv');
    const error = await rejection(read({ paths: [missing], format: 'csv' }));
    assert.equal(error.code, 'file.read_failed');
    assert.ok(error.message.includes(missing), error.message);
    assert.equal(error.location?.file, missing);
  });
});

describe('partitionQueries', () => {
  it('splits a large output into queries that together return every row exactly once', async () => {
    const stored = await session.storeQuery('SELECT range AS id FROM range(300000)', output());
    await session.attach('big_input', stored);
    const parts = await session.partitionQueries('big_input', 2);
    assert.equal(parts.length, 2);
    const counts = await Promise.all(parts.map((sql) => session.query(`SELECT count(*)::INT AS n FROM (${sql})`)));
    assert.ok(counts.every(([c]) => Number(c?.n) > 0), JSON.stringify(counts));
    const union = parts.map((sql) => `(${sql})`).join(' UNION ALL ');
    assert.deepEqual(await session.query(`SELECT count(*)::INT AS n, count(DISTINCT id)::INT AS d, min(id)::INT AS lo, max(id)::INT AS hi FROM (${union})`), [
      { n: 300000, d: 300000, lo: 0, hi: 299999 },
    ]);
  });

  it('returns one query for a small output or an unknown table', async () => {
    await session.attach('small_input', await session.storeQuery('SELECT 1 AS x', output()));
    assert.deepEqual(await session.partitionQueries('small_input', 4), ['SELECT * FROM "small_input"']);
    assert.equal((await session.partitionQueries('not_attached', 4)).length, 1);
  });
});

describe('writing and variables', () => {
  it('writes a query as header-less CSV to a file', async () => {
    const target = path.join(dir, 'written', 'out.csv');
    fs.mkdirSync(path.dirname(target), { recursive: true });
    const rows = await session.writeCsv(`SELECT * FROM (VALUES (1, 'x,y'), (2, NULL)) t(a, b) ORDER BY a`, target);
    assert.equal(rows, 2);
    assert.equal(fs.readFileSync(target, 'utf8'), '1,"x,y"\n2,\n');
  });

  it('writes a query to JSON lines with writeFile', async () => {
    const target = path.join(dir, 'written', 'nested', 'out.jsonl');
    const rows = await session.writeFile(`SELECT range::INT AS i FROM range(2)`, { path: target, format: 'jsonl' });
    assert.equal(rows, 2);
    assert.deepEqual(fs.readFileSync(target, 'utf8').trim().split('\n').map((l) => JSON.parse(l)), [{ i: 0 }, { i: 1 }]);
  });

  it('sets variables that SQL reads with getvariable', async () => {
    await session.setVariables({ day: "2024-05-01' OR 1=1 --; SET VARIABLE full = false; --", limit: 5, full: true });
    assert.deepEqual(await session.query(`SELECT getvariable('day') AS day, getvariable('limit') AS n, getvariable('full') AS full`), [
      { day: "2024-05-01' OR 1=1 --; SET VARIABLE full = false; --", n: 5, full: true },
    ]);
  });

  it('refuses a number variable that is not finite', async () => {
    const error = await rejection(session.setVariables({ good: 1, bad: Number.NaN }));
    assert.equal(error.code, 'variable.bad_number');
  });
});

describe('sessions side by side', () => {
  it('keep their tables apart: the same name in two sessions is two tables, streamed ones included', async () => {
    const one = await plane.openSession();
    const two = await plane.openSession();
    try {
      await one.attach('events', await one.storeQuery('SELECT 1 AS n', output()));
      await two.attach('events', await two.storeQuery('SELECT 2 AS n UNION ALL SELECT 3', output()));
      assert.deepEqual(await one.query('SELECT n FROM events'), [{ n: 1 }]);
      assert.deepEqual((await two.query('SELECT n FROM events ORDER BY n')).map((r) => r.n), [2, 3]);
      const streamed: Row[] = [];
      for await (const batch of one.stream('SELECT n FROM events')) streamed.push(...batch);
      assert.deepEqual(streamed, [{ n: 1 }]);
    } finally {
      await one.close();
      await two.close();
    }
  });
});

describe('closing a session', () => {
  it('interrupts a statement still running on it and waits for it, then refuses new ones', async () => {
    // A block that lost the race against its timeout leaves its query running while the run closes its session.
    const own = await plane.openSession();
    const running = own.query('SELECT count(*) AS n FROM range(20000000000) a WHERE a.range % 7 = 3');
    const outcome = running.then(() => 'finished', () => 'interrupted');
    await new Promise((resolve) => setTimeout(resolve, 50));
    await own.close();
    assert.equal(await outcome, 'interrupted');
    const refused = await rejection(own.query('SELECT 1'));
    assert.equal(refused.code, 'data_plane.session_closed');
    // The engine lives on for every other session.
    assert.deepEqual(await session.query('SELECT 1 AS one'), [{ one: 1 }]);
  });
});
