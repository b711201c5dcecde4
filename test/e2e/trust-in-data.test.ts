import assert from 'node:assert/strict';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { queryWarehouse, sluice, tempDir } from './cli-helpers.ts';

const cleanups: string[] = [];
after(() => {
  for (const dir of cleanups) rmSync(dir, { recursive: true, force: true });
});

/** Writes a project from a map of relative path -> content (a Buffer for bytes). */
function project(files: Record<string, string | Buffer>): string {
  const { dir } = tempDir('sluice-trust-');
  cleanups.push(dir);
  for (const [file, content] of Object.entries({ 'sluice.yaml': 'name: trust\n', ...files })) {
    mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    writeFileSync(path.join(dir, file), content);
  }
  return dir;
}

/** A pipeline of one file loader and an exporter into the embedded warehouse table `t`. */
function loadPipeline(settings: string): string {
  return `blocks:\n  - name: raw\n    connector: file\n    settings:\n${settings
    .trim()
    .split('\n')
    .map((l) => `      ${l}`)
    .join('\n')}\n  - { name: out, connection: warehouse, upstream: [raw], settings: { table: t } }\n`;
}

const tooBig = Symbol('1e400');
const records = [
  { id: 1, amount: '10.50', qty: 1 },
  { id: 2, amount: tooBig, qty: 2 },
  { id: 3, amount: '12,5', qty: 3 },
  { id: 4, amount: 7, qty: 4.5 },
  { id: 5, amount: 8, qty: 5 },
];
// JSON.stringify cannot write 1e400 (it is Infinity in JS), so the text is written by hand.
const jsonText = (lines: boolean): string => {
  const texts = records.map((r) => JSON.stringify({ ...r, amount: r.amount === tooBig ? '__big__' : r.amount }).replace('"__big__"', '1e400'));
  return lines ? `${texts.join('\n')}\n` : `[\n${texts.join(',\n')}\n]\n`;
};

describe('JSON and JSON lines honour columns and on_error', () => {
  for (const format of ['json', 'jsonl'] as const) {
    const file = `data/in.${format}`;
    it(`${format}: on_error reject keeps the records that fit and rejects the rest with record number and column`, async () => {
      const dir = project({
        'pipelines/p.yaml': loadPipeline(`path: ${file}\non_error: reject\ncolumns: { amount: 'DECIMAL(12,2)', qty: INTEGER }`),
        [file]: jsonText(format === 'jsonl'),
      });
      const r = await sluice(dir, ['run', 'p']);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /Run succeeded with 3 rejected rows/);
      const rows = await queryWarehouse(path.join(dir, '.sluice/warehouse.duckdb'), 'SELECT id, amount::VARCHAR AS amount, qty, typeof(amount) AS type FROM t ORDER BY id');
      assert.deepEqual(
        rows.map((x) => [Number(x.id), x.amount, Number(x.qty), x.type]),
        [
          [1, '10.50', 1, 'DECIMAL(12,2)'],
          [5, '8.00', 5, 'DECIMAL(12,2)'],
        ],
      );
      const rejects = await sluice(dir, ['preview', 'p', 'raw', '--rejects']);
      assert.equal(rejects.code, 0, rejects.stderr);
      assert.match(rejects.stdout, new RegExp(`^data/in\\.${format}, record 2, column amount: "1e400" does not fit DECIMAL\\(12,2\\)$`, 'm'));
      assert.match(rejects.stdout, new RegExp(`^data/in\\.${format}, record 3, column amount: "12,5" does not fit DECIMAL\\(12,2\\)$`, 'm'));
      assert.match(rejects.stdout, new RegExp(`^data/in\\.${format}, record 4, column qty: "4.5" does not fit INTEGER$`, 'm'));
    });

    it(`${format}: under on_error fail, the first value that does not fit fails the block with its record`, async () => {
      const dir = project({
        'pipelines/p.yaml': loadPipeline(`path: ${file}\ncolumns: { amount: DOUBLE }`),
        [file]: jsonText(format === 'jsonl'),
      });
      const r = await sluice(dir, ['run', 'p']);
      assert.equal(r.code, 1, r.stdout);
      assert.match(r.stderr, new RegExp(`data/in\\.${format}, block 'raw', record 2: column 'amount': "1e400" does not fit DOUBLE`));
    });
  }

  it('a number too large for DOUBLE in an undeclared column is refused, never loaded as infinity', async () => {
    const dir = project({ 'pipelines/p.yaml': loadPipeline('path: data/in.jsonl'), 'data/in.jsonl': '{"x": 1.5}\n{"x": -1e400}\n' });
    const r = await sluice(dir, ['run', 'p']);
    assert.equal(r.code, 1, r.stdout);
    assert.match(r.stderr, /data\/in\.jsonl, block 'raw', record 2: column 'x': "-inf" is a number too large for DOUBLE/);
  });

  it('validate refuses a CSV-only setting on a JSON file, naming the line of the setting', async () => {
    const dir = project({
      'pipelines/p.yaml': loadPipeline('path: data/in.json\ndelimiter: ";"'),
      'data/in.json': '[{"a":1}]',
    });
    const r = await sluice(dir, ['validate']);
    assert.equal(r.code, 2, r.stdout);
    assert.match(r.stdout, /pipelines\/p\.yaml:6, block 'raw': file settings 'delimiter': json files do not read 'delimiter'/);
  });

  it('validate refuses on_error on Parquet, which has nothing to reject', async () => {
    const dir = project({ 'pipelines/p.yaml': loadPipeline('path: data/in.parquet\non_error: reject') });
    const r = await sluice(dir, ['validate']);
    assert.equal(r.code, 2, r.stdout);
    assert.match(r.stdout, /pipelines\/p\.yaml:6, block 'raw': file settings 'on_error': parquet files do not read 'on_error'/);
  });
});

describe('rejected rows are part of the outcome', () => {
  it('a block whose every row was rejected fails, with the first reasons', async () => {
    // Latin-1 bytes read as UTF-8: every row is invalid.
    const latin1 = Buffer.from('id,name\n1,Müller\n2,Jörg\n', 'latin1');
    const dir = project({ 'pipelines/p.yaml': loadPipeline('path: data/in.csv\non_error: reject'), 'data/in.csv': latin1 });
    const r = await sluice(dir, ['run', 'p']);
    assert.equal(r.code, 1, r.stdout);
    assert.match(r.stderr, /every row of data\/in\.csv was rejected \(2\)/);
    assert.match(r.stderr, /data\/in\.csv:2/);
    const runs = await sluice(dir, ['runs']);
    assert.match(runs.stdout, /\bfailed\b/);
  });

  it('max_rejects as a count fails the block beyond it', async () => {
    const dir = project({
      'pipelines/p.yaml': loadPipeline(`path: data/in.jsonl\non_error: reject\nmax_rejects: 2\ncolumns: { amount: 'DECIMAL(12,2)', qty: INTEGER }`),
      'data/in.jsonl': jsonText(true),
    });
    const r = await sluice(dir, ['run', 'p']);
    assert.equal(r.code, 1, r.stdout);
    assert.match(r.stderr, /3 of 5 rows of data\/in\.jsonl were rejected \(60\.0%\), more than max_rejects 2/);
    // The rows that failed it are kept with the failed run, to say why.
    const rejects = await sluice(dir, ['preview', 'p', 'raw', '--rejects']);
    assert.equal(rejects.code, 0, rejects.stderr + rejects.stdout);
    assert.match(rejects.stdout, /block 'raw' failed in its latest run \S+: 3 of 5 rows/);
    assert.match(rejects.stdout, /showing the rows it rejected in that run/);
    assert.match(rejects.stdout, /p\.raw rejects from run \S+: 3 rows/);
  });

  it('max_rejects as a percentage fails beyond it and passes within it', async () => {
    const over = project({
      'pipelines/p.yaml': loadPipeline(`path: data/in.jsonl\non_error: reject\nmax_rejects: '50%'\ncolumns: { amount: 'DECIMAL(12,2)', qty: INTEGER }`),
      'data/in.jsonl': jsonText(true),
    });
    assert.equal((await sluice(over, ['run', 'p'])).code, 1);
    const within = project({
      'pipelines/p.yaml': loadPipeline(`path: data/in.jsonl\non_error: reject\nmax_rejects: '60%'\ncolumns: { amount: 'DECIMAL(12,2)', qty: INTEGER }`),
      'data/in.jsonl': jsonText(true),
    });
    const r = await sluice(within, ['run', 'p']);
    assert.equal(r.code, 0, r.stderr);
  });

  it('a run with rejects says "succeeded with N rejected rows" in the summary, in sluice runs and in sluice logs', async () => {
    const dir = project({
      'pipelines/p.yaml': loadPipeline("path: data/in.csv\non_error: reject\ncolumns: { amount: 'DECIMAL(12,2)' }"),
      'data/in.csv': 'id,amount\n1,10.50\n2,oops\n3,7.25\n',
    });
    const r = await sluice(dir, ['run', 'p']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /Run succeeded with 1 rejected row\b/);
    assert.match(r.stdout, /3 in → 2 out, 1 rejected/);
    const runs = await sluice(dir, ['runs']);
    assert.match(runs.stdout, /succeeded with 1 rejected row\b/);
    const id = /run (\S+): 2 blocks/.exec(r.stdout)?.[1];
    assert.ok(id, r.stdout);
    const logs = await sluice(dir, ['logs', id]);
    assert.match(logs.stdout, /succeeded with 1 rejected row raw/);
  });
});

describe('the rejects preview', () => {
  it('shows the whole reason and paths relative to the project', async () => {
    const long = `${'x'.repeat(120)} end`;
    const dir = project({
      'pipelines/p.yaml': loadPipeline("path: data/in.csv\non_error: reject\ncolumns: { amount: 'DECIMAL(12,2)' }"),
      'data/in.csv': `id,amount\n1,10.50\n2,"${long}"\n3,7.25\n`,
    });
    assert.equal((await sluice(dir, ['run', 'p'])).code, 0);
    const r = await sluice(dir, ['preview', 'p', 'raw', '--rejects']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, new RegExp(`^data/in\\.csv:3, column amount: .*${long}.*DECIMAL`, 'm'));
    assert.doesNotMatch(r.stdout, new RegExp(dir.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')));
  });
});

describe('a REST API that answers JSON and XML', () => {
  let server: Server;
  let base = '';
  let calls = 0;
  const records = [
    { id: '1', price: '12.50', sku: '00123' },
    { id: '2', price: '7.25', sku: '00456' },
  ];
  before(async () => {
    // Alternates formats call by call: JSON { items: [...] }, then XML <response><items><item>.
    server = createServer((req, res) => {
      const url = new URL(req.url ?? '/', 'http://x');
      const page = Number(url.searchParams.get('page') ?? 1);
      const list = page === 1 ? [records[0]!] : page === 2 ? [records[1]!] : [];
      const xml = url.pathname === '/xml' || (url.pathname === '/alternating' && ++calls % 2 === 0);
      if (xml) {
        res.writeHead(200, { 'content-type': 'application/xml' });
        res.end(`<?xml version="1.0"?><response><items>${list.map((r) => `<item><id>${r.id}</id><price>${r.price}</price><sku>${r.sku}</sku></item>`).join('')}</items></response>`);
      } else {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ items: list.map((r) => ({ ...r, id: Number(r.id) })) }));
      }
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => new Promise<void>((resolve) => server.close(() => resolve())));

  const restProject = (path: string, extra = ''): string =>
    project({
      'connections.yaml': `connections:\n  vendor:\n    connector: rest\n    base_url: ${base}\n    allow_private: true\n`,
      'pipelines/p.yaml': `blocks:\n  - name: raw\n    connection: vendor\n    settings: { path: ${path}, record_path: items, pagination: { type: page }${extra} }\n  - { name: out, connection: warehouse, upstream: [raw], settings: { table: t } }\n`,
    });

  it('one block reads pages that alternate JSON and XML with one record_path into one schema, typed by columns', async () => {
    calls = 0;
    const dir = restProject('alternating', ", columns: { id: BIGINT, price: 'DECIMAL(12,2)' }");
    const r = await sluice(dir, ['run', 'p']);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    const rows = await queryWarehouse(path.join(dir, '.sluice/warehouse.duckdb'), 'SELECT id, price::VARCHAR AS price, sku, typeof(id) AS it, typeof(price) AS pt, typeof(sku) AS st FROM t ORDER BY id');
    assert.deepEqual(
      rows.map((x) => [Number(x.id), x.price, x.sku, x.it, x.pt, x.st]),
      [
        [1, '12.50', '00123', 'BIGINT', 'DECIMAL(12,2)', 'VARCHAR'],
        [2, '7.25', '00456', 'BIGINT', 'DECIMAL(12,2)', 'VARCHAR'],
      ],
    );
  });

  it('the same records as XML get the schema they get as JSON strings: text, never a guessed DOUBLE', async () => {
    const dir = restProject('xml');
    const r = await sluice(dir, ['run', 'p']);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    const columns = await queryWarehouse(path.join(dir, '.sluice/warehouse.duckdb'), "SELECT column_name AS c, data_type AS t FROM information_schema.columns WHERE table_name = 't' ORDER BY ordinal_position");
    assert.deepEqual(columns.map((x) => [x.c, x.t]), [['id', 'VARCHAR'], ['price', 'VARCHAR'], ['sku', 'VARCHAR']]);
    const [row] = await queryWarehouse(path.join(dir, '.sluice/warehouse.duckdb'), 'SELECT price FROM t ORDER BY id LIMIT 1');
    assert.equal(row!.price, '12.50');
  });
});
