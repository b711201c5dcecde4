import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { ConfigError } from '../errors.ts';
import { listPipelines, loadPipeline } from './load-pipeline.ts';

const roots: string[] = [];
after(() => {
  for (const root of roots) fs.rmSync(root, { recursive: true, force: true });
});

/** A project folder holding the given files (paths relative to the root). */
function project(files: Record<string, string>): string {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'sluice-'));
  roots.push(root);
  for (const [name, text] of Object.entries(files)) {
    const file = path.join(root, name);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, text);
  }
  return root;
}

const yaml = (...lines: string[]): string => `${lines.join('\n')}\n`;
const pipelineFile = path.join('pipelines', 'p.yaml');

function loadError(root: string, name = 'p'): ConfigError {
  try {
    loadPipeline(root, name);
  } catch (error) {
    assert.ok(error instanceof ConfigError, `expected a ConfigError, got ${String(error)}`);
    assert.equal(error.kind, 'config');
    return error;
  }
  return assert.fail('expected loadPipeline to throw');
}

describe('loadPipeline', () => {
  it('loads blocks in run order with their languages and roles', () => {
    const root = project({
      'pipelines/p.yaml': yaml(
        'description: daily numbers',
        'variables:',
        '  days: 7',
        'blocks:',
        '  - name: report',
        '    file: blocks/report.sql',
        '    upstream: [clean]',
        '  - name: clean',
        '    file: blocks/clean.ts',
        '    upstream: [raw]',
        '    settings: { limit: 10 }',
        '  - name: raw',
        '    role: loader',
        '    file: blocks/raw.sql',
      ),
      'blocks/report.sql': 'select * from clean',
      'blocks/clean.ts': 'export default 1;',
      'blocks/raw.sql': 'select 1 as x',
    });
    const pipeline = loadPipeline(root, 'p');
    assert.equal(pipeline.name, 'p');
    assert.equal(pipeline.description, 'daily numbers');
    assert.deepEqual(pipeline.variables, { days: 7 });
    assert.deepEqual(
      pipeline.blocks.map((b) => [b.name, b.language, b.role]),
      [
        ['raw', 'sql', 'loader'],
        ['clean', 'ts', 'transformer'],
        ['report', 'sql', 'transformer'],
      ],
    );
    const clean = pipeline.blocks[1]!;
    assert.equal(clean.language === 'ts' && clean.file, path.join(root, 'blocks', 'clean.ts'));
    assert.deepEqual(clean.language === 'ts' && clean.settings, { limit: 10 });
    assert.deepEqual(clean.declaredAt, { file: pipelineFile, line: 8 });
  });

  it('reads a block role as role, and its old spelling type with a warning that points at it', () => {
    const root = project({
      'pipelines/p.yaml': yaml('blocks:', '  - name: raw', '    role: loader', '    file: blocks/raw.sql', '  - name: old', '    type: exporter', '    connection: warehouse', '    upstream: [raw]', '    settings: { table: t }'),
      'blocks/raw.sql': 'select 1 as x',
    });
    const pipeline = loadPipeline(root, 'p');
    assert.deepEqual(pipeline.blocks.map((b) => [b.name, b.role]), [['raw', 'loader'], ['old', 'exporter']]);
    assert.deepEqual(pipeline.warnings?.map((w) => [w.code, w.location.line, w.location.block]), [['block.type_deprecated', 6, 'old']]);
    assert.match(pipeline.warnings![0]!.message, /'type: exporter' is the old spelling of 'role: exporter'/);
  });

  it('loads a pipeline written with role and no old spelling without warnings', () => {
    const root = project({ 'pipelines/p.yaml': yaml('blocks:', '  - name: raw', '    role: loader', '    file: blocks/raw.sql'), 'blocks/raw.sql': 'select 1 as x' });
    assert.equal(loadPipeline(root, 'p').warnings, undefined);
  });

  it('reads an integration pipeline written with kind, and its old spelling type with a warning at its line', () => {
    const stream = ['source: pg', 'destination: warehouse', 'streams:', '  - { table: orders, mode: full_refresh }'];
    const root = project({ 'pipelines/new.yaml': yaml('kind: integration', ...stream), 'pipelines/old.yaml': yaml('name: old', 'type: integration', ...stream) });
    const current = loadPipeline(root, 'new');
    assert.deepEqual(current.blocks.map((b) => [b.name, b.language]), [['orders', 'sync']]);
    assert.equal(current.warnings, undefined);
    const old = loadPipeline(root, 'old');
    assert.deepEqual(old.blocks.map((b) => [b.name, b.language]), [['orders', 'sync']]);
    assert.deepEqual(old.warnings?.map((w) => [w.code, w.location.line]), [['pipeline.type_deprecated', 2]]);
    assert.match(old.warnings![0]!.message, /'type: integration' is the old spelling of 'kind: integration'/);
  });

  it('refuses a block that gives both role and type', () => {
    const root = project({ 'pipelines/p.yaml': yaml('blocks:', '  - name: raw', '    role: loader', '    type: loader', '    file: blocks/raw.sql'), 'blocks/raw.sql': 'select 1 as x' });
    const error = loadError(root);
    assert.equal(error.code, 'block.role_twice');
    assert.equal(error.location?.line, 4);
  });

  it('makes a block wait for the block its relationships check reads, and refuses one that runs after it', () => {
    const files = { 'blocks/a.sql': 'select 1 as id', 'blocks/b.sql': 'select 1 as id' };
    const ok = project({ ...files, 'pipelines/p.yaml': yaml('blocks:', '  - name: a', '    file: blocks/a.sql', '    checks:', '      - relationships: { column: id, to: b, field: id }', '  - name: b', '    file: blocks/b.sql') });
    assert.deepEqual(loadPipeline(ok, 'p').blocks.find((b) => b.name === 'a')?.after, ['b']);
    const looped = project({ ...files, 'pipelines/p.yaml': yaml('blocks:', '  - name: a', '    file: blocks/a.sql', '    checks:', '      - relationships: { column: id, to: b, field: id }', '  - name: b', '    file: blocks/b.sql', '    upstream: [a]') });
    const error = loadError(looped);
    assert.equal(error.code, 'check.target_downstream');
    assert.equal(error.location?.line, 5);
  });

  it('reports malformed YAML at the line of the mistake', () => {
    const root = project({
      'pipelines/p.yaml': yaml('blocks:', '  - name: a', '    file: blocks/a.sql', '  - name: b', '   file: blocks/a.sql'),
      'blocks/a.sql': 'select 1',
    });
    const error = loadError(root);
    assert.equal(error.code, 'config.yaml_syntax');
    assert.equal(error.location?.file, pipelineFile);
    assert.equal(error.location?.line, 5);
  });

  it("reads the pipeline's concurrency, and refuses one below 1 at its line", () => {
    const good = project({ 'pipelines/p.yaml': yaml('concurrency: 8', 'blocks:', '  - { name: a, file: blocks/a.sql }'), 'blocks/a.sql': 'select 1' });
    assert.equal(loadPipeline(good, 'p').concurrency, 8);
    const bad = project({ 'pipelines/p.yaml': yaml('blocks:', '  - { name: a, file: blocks/a.sql }', 'concurrency: 0'), 'blocks/a.sql': 'select 1' });
    const error = loadError(bad);
    assert.equal(error.location?.file, pipelineFile);
    assert.equal(error.location?.line, 3);
    assert.match(error.message, /concurrency/);
  });

  it('reports a key written twice at its second use', () => {
    const root = project({
      'pipelines/p.yaml': yaml('blocks:', '  - name: a', '    file: blocks/a.sql', '    file: blocks/b.sql'),
      'blocks/a.sql': 'select 1',
    });
    const error = loadError(root);
    assert.equal(error.code, 'config.yaml_syntax');
    assert.equal(error.location?.line, 4);
  });

  it('rejects an unknown key in a block, naming the key and pointing at its block', () => {
    const root = project({
      'pipelines/p.yaml': yaml(
        'blocks:',
        '  - name: a',
        '    file: blocks/a.sql',
        '  - name: b',
        '    file: blocks/a.sql',
        '    colour: red',
      ),
      'blocks/a.sql': 'select 1',
    });
    const error = loadError(root);
    assert.equal(error.code, 'config.invalid');
    assert.match(error.message, /colour/);
    assert.equal(error.location?.file, pipelineFile);
    assert.equal(error.location?.line, 4);
  });

  it('rejects a block file of an unknown kind at the line of its file entry', () => {
    const root = project({
      'pipelines/p.yaml': yaml('blocks:', '  - name: a', '    file: blocks/a.sql', '  - name: py', '    file: blocks/py.py'),
      'blocks/a.sql': 'select 1',
      'blocks/py.py': 'print(1)',
    });
    const error = loadError(root);
    assert.equal(error.code, 'block.unknown_language');
    assert.match(error.message, /\.py/);
    assert.deepEqual(
      { file: error.location?.file, line: error.location?.line, block: error.location?.block },
      { file: pipelineFile, line: 5, block: 'py' },
    );
  });

  it('rejects a block file that does not exist at the line of its file entry', () => {
    const root = project({
      'pipelines/p.yaml': yaml('blocks:', '  - name: a', '    description: first', '    file: blocks/gone.sql'),
    });
    const error = loadError(root);
    assert.equal(error.code, 'block.file_missing');
    assert.match(error.message, /blocks\/gone\.sql/);
    assert.equal(error.location?.file, pipelineFile);
    assert.equal(error.location?.line, 4);
  });

  it('rejects a block file outside the project', () => {
    const root = project({ 'pipelines/p.yaml': yaml('blocks:', '  - name: a', '    file: ../elsewhere.sql') });
    assert.equal(loadError(root).code, 'block.file_outside');
  });

  it('rejects an upstream that is not a block, at the line of that upstream entry', () => {
    const root = project({
      'pipelines/p.yaml': yaml(
        'blocks:',
        '  - name: a',
        '    file: blocks/a.sql',
        '  - name: b',
        '    file: blocks/a.sql',
        '    upstream:',
        '      - a',
        '      - nope',
      ),
      'blocks/a.sql': 'select 1',
    });
    const error = loadError(root);
    assert.equal(error.code, 'pipeline.unknown_upstream');
    assert.match(error.message, /'nope'/);
    assert.equal(error.location?.file, pipelineFile);
    assert.equal(error.location?.line, 8);
    assert.equal(error.location?.block, 'b');
  });

  it('rejects blocks that form a cycle, naming the cycle', () => {
    const root = project({
      'pipelines/p.yaml': yaml(
        'blocks:',
        '  - { name: a, file: blocks/x.sql, upstream: [c] }',
        '  - { name: b, file: blocks/x.sql, upstream: [a] }',
        '  - { name: c, file: blocks/x.sql, upstream: [b] }',
      ),
      'blocks/x.sql': 'select 1',
    });
    const error = loadError(root);
    assert.equal(error.code, 'pipeline.cycle');
    assert.match(error.message, /a -> c -> b -> a/);
    assert.equal(error.location?.file, pipelineFile);
  });

  it('rejects two blocks with the same name at the second name', () => {
    const root = project({
      'pipelines/p.yaml': yaml('blocks:', '  - name: a', '    file: blocks/a.sql', '  - name: a', '    file: blocks/a.sql'),
      'blocks/a.sql': 'select 1',
    });
    const error = loadError(root);
    assert.equal(error.code, 'pipeline.duplicate_block');
    assert.equal(error.location?.line, 4);
  });

  it('rejects a block with neither a file nor a connector', () => {
    const root = project({ 'pipelines/p.yaml': yaml('blocks:', '  - name: lonely') });
    assert.equal(loadError(root).code, 'block.no_logic');
  });

  it('names the pipelines it knows when asked for a missing one', () => {
    const root = project({
      'pipelines/daily.yaml': yaml('blocks:', '  - { name: a, connector: file }'),
      'pipelines/hourly.yml': yaml('blocks:', '  - { name: a, connector: file }'),
    });
    const error = loadError(root, 'weekly');
    assert.equal(error.code, 'pipeline.not_found');
    assert.match(error.message, /weekly/);
    assert.match(error.message, /daily, hourly/);
    assert.deepEqual(listPipelines(root), ['daily', 'hourly']);
  });

  it('loads a pipeline written as .yml', () => {
    const root = project({ 'pipelines/hourly.yml': yaml('blocks:', '  - { name: a, connector: file }') });
    assert.equal(loadPipeline(root, 'hourly').blocks.length, 1);
  });

  it('rejects a pipeline name that could leave the pipelines folder', () => {
    const root = project({});
    assert.equal(loadError(root, '../p').code, 'pipeline.bad_name');
  });

  it('makes a connector block a loader without upstream and an exporter with one', () => {
    const root = project({
      'pipelines/p.yaml': yaml(
        'blocks:',
        '  - { name: source, connector: file, settings: { path: in.csv } }',
        '  - { name: sink, connector: file, upstream: [source], settings: { path: out.csv } }',
        '  - { name: check, connection: warehouse, role: test, upstream: [source] }',
      ),
    });
    const roles = loadPipeline(root, 'p').blocks.map((b) => [b.name, b.language, b.role]);
    assert.deepEqual(roles, [
      ['source', 'connector', 'loader'],
      ['sink', 'connector', 'exporter'],
      ['check', 'connector', 'test'],
    ]);
  });

  it('changes the version when a block file changes, and only then', () => {
    const root = project({
      'pipelines/p.yaml': yaml('blocks:', '  - name: a', '    file: blocks/a.sql'),
      'blocks/a.sql': 'select 1',
    });
    const first = loadPipeline(root, 'p').version;
    assert.match(first, /^[0-9a-f]{16}$/);
    assert.equal(loadPipeline(root, 'p').version, first);
    fs.writeFileSync(path.join(root, 'blocks', 'a.sql'), 'select 2');
    const second = loadPipeline(root, 'p').version;
    assert.notEqual(second, first);
    fs.appendFileSync(path.join(root, pipelineFile), '# a comment\n');
    assert.notEqual(loadPipeline(root, 'p').version, second);
  });
});
