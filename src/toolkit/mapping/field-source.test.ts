import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { DataPlane, DataPlaneSession } from '../../core/data-plane/data-plane.ts';
import { createDuckDbDataPlane } from '../../core/data-plane/duckdb-data-plane.ts';
import { loadProject, type Project } from '../../core/project/load-project.ts';
import type { RunStore } from '../../core/run-store/run-store.ts';
import { parseFieldSource, sampleFieldSource } from './field-source.ts';
import { mappingLines } from './mapping-lines.ts';
import { mappingSql } from './mapping-sql.ts';

describe('field sources', () => {
  let dir: string;
  let project: Project;
  let plane: DataPlane;
  let session: DataPlaneSession;
  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sluice-map-source-'));
    fs.mkdirSync(path.join(dir, 'data'));
    fs.mkdirSync(path.join(dir, 'pipelines'));
    fs.writeFileSync(path.join(dir, 'sluice.yaml'), 'name: m\n');
    fs.writeFileSync(path.join(dir, 'pipelines/shop.yaml'), 'blocks:\n  - { name: raw, connector: file, settings: { path: data/a.csv } }\n');
    fs.writeFileSync(path.join(dir, 'data/a.csv'), 'id,email,"odd ""name"""\n1,a@x.io,x\n2,b@y.io,x\n3,,y\n');
    project = loadProject(dir);
    plane = await createDuckDbDataPlane({ tempDir: path.join(dir, 'spill') });
    session = await plane.openSession();
  });
  after(async () => {
    await session.close();
    await plane.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('reads a name as a block, a connection table or a file, and names what exists when it is none', () => {
    assert.deepEqual(parseFieldSource(project, 'shop.raw'), { kind: 'block', pipeline: 'shop', block: 'raw' });
    assert.deepEqual(parseFieldSource(project, 'warehouse.main.orders'), { kind: 'table', connection: 'warehouse', table: 'main.orders' });
    assert.deepEqual(parseFieldSource(project, 'data/a.csv'), { kind: 'file', path: 'data/a.csv', format: 'csv' });
    assert.throws(() => parseFieldSource(project, 'nowhere.x'), /'nowhere\.x' is not PIPELINE\.BLOCK \(pipelines: shop\), CONNECTION\.TABLE \(connections: warehouse\) or a \.csv/);
    assert.throws(() => parseFieldSource(project, 'data/notes.txt.bak'), /looks like a path/);
  });

  it("samples a file's columns with their types and distinct values, most frequent first", async () => {
    const store = {} as RunStore;
    const sampled = await sampleFieldSource(parseFieldSource(project, 'data/a.csv'), { project, store, connectors: new Map(), session });
    assert.equal(sampled.sampledRows, 3);
    assert.deepEqual(sampled.columns.map((c) => [c.name, c.type, c.values]), [
      ['id', 'BIGINT', ['1', '2', '3']],
      ['email', 'VARCHAR', ['a@x.io', 'b@y.io']],
      ['odd "name"', 'VARCHAR', ['x', 'y']],
    ]);
    assert.deepEqual(fs.readdirSync(path.join(dir, '.sluice/tmp')), [], 'the landed sample is removed');
  });

  it('refuses a file outside the project, and a block with no stored output', async () => {
    const store = { latestOutput: async () => undefined } as unknown as RunStore;
    const context = { project, store, connectors: new Map(), session };
    await assert.rejects(sampleFieldSource({ kind: 'file', path: '../elsewhere.csv', format: 'csv' }, context), /outside the project folder/);
    await assert.rejects(sampleFieldSource(parseFieldSource(project, 'shop.raw'), context), /block 'raw' of 'shop' has no stored output; run 'sluice run shop' first/);
  });
});

describe('mapping blocks', () => {
  it('lists the target columns in order, NULL where no source was accepted, every name quoted', () => {
    const lines = mappingLines([{ source: 'odd "name"', target: 'Full Name', note: '0.61: names partly match' }], ['id', 'odd "name"'], ['id', 'Full Name']);
    assert.equal(
      mappingSql(lines, { from: '"raw"', title: 'Maps shop.raw onto the columns of crm.people.' }),
      [
        '-- Maps shop.raw onto the columns of crm.people.',
        '-- Written from `sluice map suggest`; edit freely.',
        'SELECT',
        '  NULL AS "id", -- no source column',
        '  "odd ""name""" AS "Full Name" -- 0.61: names partly match',
        'FROM "raw"',
        '',
      ].join('\n'),
    );
  });
  it('keeps a comment to one line, so a name holding a line break cannot carry SQL', () => {
    const sql = mappingSql([{ source: 'a', target: 'b', note: 'x\nDROP TABLE t; --' }], { from: '"s"', title: 'from "s\nDELETE FROM t"' });
    assert.ok(sql.split('\n').every((line) => !/^(DROP|DELETE)/.test(line)), sql);
  });
  it('refuses a column neither side has, a target given two sources, and nothing accepted', () => {
    assert.throws(() => mappingLines([{ source: 'zz', target: 'id' }], ['a'], ['id']), /the source has no column 'zz' \(columns: a\)/);
    assert.throws(() => mappingLines([{ source: 'a', target: 'zz' }], ['a'], ['id']), /the target has no column 'zz'/);
    assert.throws(() => mappingLines([{ source: 'a', target: 'id' }, { source: 'b', target: 'id' }], ['a', 'b'], ['id']), /target column 'id' is given two source columns, 'a' and 'b'/);
    assert.throws(() => mappingLines([], ['a'], ['id']), /no column mapping is accepted/);
  });
});
