import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { sluice, tempDir } from './cli-helpers.ts';

/** Writes a project from a map of relative path -> content. */
function project(files: Record<string, string>): string {
  const { dir } = tempDir('sluice-bad-');
  cleanups.push(dir);
  const all: Record<string, string> = { 'sluice.yaml': 'name: bad\n', ...files };
  for (const [file, content] of Object.entries(all)) {
    mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    writeFileSync(path.join(dir, file), content);
  }
  return dir;
}

const cleanups: string[] = [];
after(async () => {
  const { rmSync } = await import('node:fs');
  for (const dir of cleanups) rmSync(dir, { recursive: true, force: true });
});

const csv = 'id,amount\n1,10.50\n2,oops\n3,7.25\n';

describe('bad input gets a clear error that names the place', () => {
  it('malformed YAML: exit 2 with file:line:column', async () => {
    const dir = project({ 'pipelines/p.yaml': 'blocks:\n  - name: a\n    file: [unclosed\n' });
    const r = await sluice(dir, ['run', 'p']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /pipelines\/p\.yaml:\d+:\d+: invalid YAML/);
  });

  it('an unknown block language: exit 2 naming the file and line', async () => {
    const dir = project({ 'pipelines/p.yaml': 'blocks:\n  - name: a\n    file: blocks/a.py\n', 'blocks/a.py': 'print(1)\n' });
    const r = await sluice(dir, ['run', 'p']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /pipelines\/p\.yaml:3:11, block 'a': .*unknown block language '\.py'/);
  });

  it('an unknown connector: exit 2 naming the block', async () => {
    const dir = project({ 'pipelines/p.yaml': 'blocks:\n  - name: a\n    connector: ftp\n    settings: { path: x }\n' });
    const r = await sluice(dir, ['run', 'p']);
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /pipelines\/p\.yaml:2, block 'a': unknown connector 'ftp'/);
  });

  it('a cycle: exit 2 naming the cycle', async () => {
    const dir = project({
      'pipelines/p.yaml': 'blocks:\n  - { name: a, file: blocks/q.sql, upstream: [c] }\n  - { name: b, file: blocks/q.sql, upstream: [a] }\n  - { name: c, file: blocks/q.sql, upstream: [b] }\n',
      'blocks/q.sql': 'SELECT 1 AS x',
    });
    const r = await sluice(dir, ['run', 'p']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /cycle: a -> c -> b -> a/);
  });

  it('an upstream that does not exist: exit 2 with its line', async () => {
    const dir = project({
      'pipelines/p.yaml': 'blocks:\n  - name: a\n    file: blocks/q.sql\n    upstream:\n      - nope\n',
      'blocks/q.sql': 'SELECT 1 AS x',
    });
    const r = await sluice(dir, ['run', 'p']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /pipelines\/p\.yaml:5:9, block 'a': block 'a' reads 'nope'/);
  });

  it('a TypeScript block that does not compile: exit 1 with file:line:column', async () => {
    const dir = project({
      'pipelines/p.yaml': 'blocks:\n  - name: broken\n    file: blocks/broken.ts\n',
      'blocks/broken.ts': "export default function () {\n  const x = ;\n  return [{ x }];\n}\n",
    });
    const r = await sluice(dir, ['run', 'p']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /blocks\/broken\.ts:2:\d+, block 'broken': does not compile/);
  });

  it("a TypeScript block that throws: exit 1 with the block, file, line and the user's stack", async () => {
    const dir = project({
      'pipelines/p.yaml': 'blocks:\n  - name: thrower\n    file: blocks/thrower.ts\n',
      'blocks/thrower.ts': [
        "import { defineLoader } from 'sluice';",
        'function check(n: number): number {',
        "  if (n > 1) throw new RangeError('amount out of range: ' + n);",
        '  return n;',
        '}',
        'export default defineLoader(() => [1, 2].map((n) => ({ n: check(n) })));',
        '',
      ].join('\n'),
    });
    const r = await sluice(dir, ['run', 'p']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /blocks\/thrower\.ts:3:\d+, block 'thrower': RangeError: amount out of range: 2/);
    assert.match(r.stderr, /at check \(.*thrower\.ts:3:\d+\)/);
    assert.doesNotMatch(r.stderr, /node_modules|node:internal/);
  });

  it('a CSV row that does not parse: exit 1 naming file and line', async () => {
    const dir = project({
      'pipelines/p.yaml': "blocks:\n  - name: raw\n    connector: file\n    settings: { path: data/in.csv, columns: { amount: 'DECIMAL(12,2)' } }\n",
      'data/in.csv': csv,
    });
    const r = await sluice(dir, ['run', 'p']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /data\/in\.csv:3.*oops/);
  });

  it('bad CSV rows can go to a rejects table instead, with line and reason', async () => {
    const dir = project({
      'pipelines/p.yaml': "blocks:\n  - name: raw\n    connector: file\n    settings: { path: data/in.csv, on_error: reject, columns: { amount: 'DECIMAL(12,2)' } }\n",
      'data/in.csv': csv,
    });
    const r = await sluice(dir, ['run', 'p']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /3 in → 2 out/);
    assert.match(r.stdout, /1 row\(s\) rejected/);
    const rejects = await sluice(dir, ['preview', 'p', 'raw', '--rejects']);
    assert.equal(rejects.code, 0, rejects.stderr);
    assert.match(rejects.stdout, /1 rows/);
    assert.match(rejects.stdout, /^data\/in\.csv:3, column amount: /m);
  });

  it('an unknown connection: exit 2 naming it', async () => {
    const dir = project({
      'pipelines/p.yaml': 'blocks:\n  - { name: a, file: blocks/q.sql }\n  - { name: out, connection: lake, upstream: [a], settings: { table: t } }\n',
      'blocks/q.sql': 'SELECT 1 AS x',
    });
    const r = await sluice(dir, ['run', 'p']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /no connection named 'lake' \(connections: warehouse\)/);
  });

  it("a target table whose columns do not match: exit 1 and the table is kept as it was", async () => {
    const dir = project({
      'pipelines/p.yaml': "variables: { q: one }\nblocks:\n  - { name: a, file: 'blocks/{{ q }}.sql' }\n  - { name: out, connection: warehouse, upstream: [a], settings: { table: t, mode: append } }\n",
      'blocks/{{ q }}.sql': 'SELECT 1 AS x',
    });
    // The first run creates the table; then the block's columns change.
    assert.equal((await sluice(dir, ['run', 'p'])).code, 0);
    writeFileSync(path.join(dir, 'blocks/{{ q }}.sql'), 'SELECT 2 AS x, 3 AS y');
    const r = await sluice(dir, ['run', 'p']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /block 'out': the columns of t do not match the input: not in the table: y/);
  });

  it('an unknown pipeline and a bad --var are usage errors (exit 2)', async () => {
    const dir = project({ 'pipelines/p.yaml': 'blocks:\n  - { name: a, file: blocks/q.sql }\n', 'blocks/q.sql': 'SELECT 1 AS x' });
    const missing = await sluice(dir, ['run', 'nope']);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /no pipeline 'nope'.*pipelines here: p/);
    const badVar = await sluice(dir, ['run', 'p', '--var', 'novalue']);
    assert.equal(badVar.code, 2);
    assert.match(badVar.stderr, /--var takes name=value/);
  });

  it('a SQL error names the block file and line', async () => {
    const dir = project({ 'pipelines/p.yaml': 'blocks:\n  - { name: a, file: blocks/q.sql }\n', 'blocks/q.sql': 'SELECT 1 AS x\nFROM\n  nowhere_table\n' });
    const r = await sluice(dir, ['run', 'p']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /blocks\/q\.sql:3, block 'a': .*nowhere_table/);
  });
});
