import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { ConfigError } from '../errors.ts';
import { findProjectRoot, loadProject, resolveConnectionSettings, type ConnectionSpec } from './load-project.ts';
import { mask } from './secrets.ts';

const roots: string[] = [];
after(() => {
  for (const root of roots) fs.rmSync(root, { recursive: true, force: true });
});

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

const connectionsYaml = [
  'connections:',
  '  warehouse:',
  '    connector: duckdb',
  '    path: ${WH_FILE:-data/warehouse.duckdb}',
  '  pg:',
  '    connector: postgres',
  '    host: ${PG_HOST_T}',
  '    port: 5432',
  '    url: postgres://${PG_USER_T}:${PG_PASS_T}@${PG_HOST_T}/app',
  '    password: ${PG_PASS_T}',
  '    options: { sslkey: literal-key-value, tags: [a, "${PG_USER_T}"] }',
  '',
].join('\n');

function connection(name: string): ConnectionSpec {
  const root = project({ 'sluice.yaml': 'name: demo\n', 'connections.yaml': connectionsYaml });
  const spec = loadProject(root).connections.get(name);
  assert.ok(spec, `connection ${name}`);
  return spec;
}

describe('findProjectRoot', () => {
  it('walks up from a nested folder to the folder holding sluice.yaml', () => {
    const root = project({ 'sluice.yaml': 'name: demo\n', 'blocks/deep/er/.keep': '' });
    assert.equal(findProjectRoot(path.join(root, 'blocks', 'deep', 'er')), root);
    assert.equal(findProjectRoot(root), root);
  });

  it('finds nothing when no folder above holds sluice.yaml', () => {
    const dir = project({ 'a/b/.keep': '' });
    assert.equal(findProjectRoot(path.join(dir, 'a', 'b')), undefined);
  });
});

describe('loadProject', () => {
  it('reads the project settings with their defaults and the connections as written', () => {
    const root = project({ 'sluice.yaml': 'name: demo\n', 'connections.yaml': connectionsYaml, 'pipelines/.keep': '' });
    const loaded = loadProject(path.join(root, 'pipelines'));
    assert.equal(loaded.root, root);
    assert.equal(loaded.name, 'demo');
    assert.equal(loaded.stateDir, path.join(root, '.sluice'));
    assert.equal(loaded.warehousePath, path.join(root, '.sluice', 'warehouse.duckdb'));
    assert.equal(loaded.settings.data_plane.keep_runs, 20);
    assert.equal(loaded.settings.concurrency, 4);
    assert.deepEqual([...loaded.connections.keys()], ['warehouse', 'pg']);
    assert.equal(loaded.connections.get('pg')?.connector, 'postgres');
    assert.equal(loaded.connections.get('pg')?.settings.host, '${PG_HOST_T}');
  });

  it('still reads a connection written with type:, the old spelling of connector:, and warns at its line', () => {
    const root = project({ 'sluice.yaml': 'name: demo\n', 'connections.yaml': 'connections:\n  pg:\n    type: postgres\n    host: db\n  lake:\n    connector: duckdb\n' });
    const loaded = loadProject(root);
    assert.equal(loaded.connections.get('pg')?.connector, 'postgres');
    assert.deepEqual(loaded.connections.get('pg')?.settings, { host: 'db' });
    assert.deepEqual(
      loaded.warnings?.map((w) => [w.code, w.location.file, w.location.line]),
      [['connection.type_deprecated', 'connections.yaml', 3]],
    );
    assert.match(loaded.warnings![0]!.message, /'type: postgres' is the old spelling of 'connector: postgres'/);
  });

  it('refuses a connection with both connector: and type:, or with neither, naming the line', () => {
    const both = project({ 'sluice.yaml': 'name: demo\n', 'connections.yaml': 'connections:\n  pg:\n    connector: postgres\n    type: postgres\n' });
    assert.throws(() => loadProject(both), (e: Error & { location?: { line?: number } }) => /give connector: only/.test(e.message) && e.location?.line === 4);
    const neither = project({ 'sluice.yaml': 'name: demo\n', 'connections.yaml': 'connections:\n  pg:\n    host: db\n' });
    assert.throws(() => loadProject(neither), /a connection needs connector:/);
  });

  it('places the warehouse where sluice.yaml says, relative to the root', () => {
    const root = project({ 'sluice.yaml': 'name: demo\nwarehouse: data/wh.duckdb\n' });
    assert.equal(loadProject(root).warehousePath, path.join(root, 'data', 'wh.duckdb'));
  });

  it('works without a connections file', () => {
    assert.equal(loadProject(project({ 'sluice.yaml': 'name: demo\n' })).connections.size, 0);
  });

  it('fails with project.not_found outside a project', () => {
    const dir = project({});
    assert.throws(() => loadProject(dir), (error: unknown) => error instanceof ConfigError && error.code === 'project.not_found');
  });

  it('rejects an unknown setting in sluice.yaml at its line', () => {
    const root = project({ 'sluice.yaml': 'name: demo\nwarehuose: x.duckdb\n' });
    assert.throws(() => loadProject(root), { code: 'config.invalid', location: { file: 'sluice.yaml', line: 1, column: 1 } });
  });

  it('parses the files again only when their text changed, and sees every change at once', () => {
    const root = project({ 'sluice.yaml': 'name: demo\n', 'connections.yaml': 'connections:\n  a: { connector: duckdb }\n' });
    const first = loadProject(root);
    assert.equal(loadProject(path.join(root)), first, 'the same files are the same project');
    // Same size, same time of change: only the text tells these apart.
    const stat = fs.statSync(path.join(root, 'sluice.yaml'));
    fs.writeFileSync(path.join(root, 'sluice.yaml'), 'name: omed\n');
    fs.utimesSync(path.join(root, 'sluice.yaml'), stat.atime, stat.mtime);
    assert.equal(loadProject(root).name, 'omed');
    fs.writeFileSync(path.join(root, 'connections.yaml'), 'connections:\n  b: { connector: duckdb }\n');
    assert.deepEqual([...loadProject(root).connections.keys()], ['b']);
    fs.mkdirSync(path.join(root, '.sluice'));
    fs.writeFileSync(path.join(root, '.sluice', 'secrets.env'), 'B_TOKEN=cached-project-secret-4821\n');
    fs.writeFileSync(path.join(root, 'connections.yaml'), 'connections:\n  b: { connector: duckdb, path: "${B_TOKEN}" }\n');
    assert.equal(loadProject(root).connections.get('b')?.secrets?.B_TOKEN, 'cached-project-secret-4821');
    assert.equal(mask('uses cached-project-secret-4821'), 'uses ***');
    fs.writeFileSync(path.join(root, 'sluice.yaml'), 'name: demo\nwarehuose: x.duckdb\n');
    assert.throws(() => loadProject(root), { code: 'config.invalid' }, 'a broken file is an error, never the last good project');
  });

  it('masks a connection\'s environment value set after the project was first loaded', () => {
    const root = project({ 'sluice.yaml': 'name: demo\n', 'connections.yaml': 'connections:\n  a: { connector: postgres, url: "${LATE_URL_T}" }\n' });
    loadProject(root);
    process.env.LATE_URL_T = 'postgres://late-secret-7314@db/app';
    try {
      loadProject(root);
      assert.equal(mask('postgres://late-secret-7314@db/app'), '***');
    } finally {
      delete process.env.LATE_URL_T;
    }
  });
});

describe('resolveConnectionSettings', () => {
  it('fills ${NAME} from the environment everywhere in the settings', () => {
    const env = { PG_HOST_T: 'db.internal', PG_USER_T: 'loader', PG_PASS_T: 'Sup3r-S3cret' };
    assert.deepEqual(resolveConnectionSettings(connection('pg'), env), {
      host: 'db.internal',
      port: 5432,
      url: 'postgres://loader:Sup3r-S3cret@db.internal/app',
      password: 'Sup3r-S3cret',
      options: { sslkey: 'literal-key-value', tags: ['a', 'loader'] },
    });
  });

  it('uses the default of ${NAME:-default} when the variable is unset or empty', () => {
    assert.deepEqual(resolveConnectionSettings(connection('warehouse'), {}), { path: 'data/warehouse.duckdb' });
    assert.deepEqual(resolveConnectionSettings(connection('warehouse'), { WH_FILE: '' }), { path: 'data/warehouse.duckdb' });
    assert.deepEqual(resolveConnectionSettings(connection('warehouse'), { WH_FILE: 'other.duckdb' }), { path: 'other.duckdb' });
  });

  it('names the connection and the missing variable, but no value', () => {
    const spec = connection('pg');
    assert.throws(
      () => resolveConnectionSettings(spec, { PG_HOST_T: 'db-host-visible', PG_USER_T: 'loader-visible' }),
      (error: unknown) => {
        assert.ok(error instanceof ConfigError);
        assert.equal(error.code, 'connection.env_missing');
        assert.match(error.message, /'pg'/);
        assert.match(error.message, /PG_PASS_T/);
        assert.doesNotMatch(error.message, /db-host-visible|loader-visible/);
        assert.equal(error.location?.file, 'connections.yaml');
        // The connection's name (line 5) or its first setting (line 6).
        assert.ok([5, 6].includes(error.location?.line ?? 0), `line ${error.location?.line}`);
        return true;
      },
    );
  });

  it('masks every resolved value and every secret-named setting afterwards', () => {
    const env = { PG_HOST_T: 'pg-prod-7.internal', PG_USER_T: 'etl_writer', PG_PASS_T: 'Zq9 long/pass' };
    const before = mask('pg-prod-7.internal etl_writer Zq9 long/pass Zq9%20long%2Fpass');
    assert.equal(before, 'pg-prod-7.internal etl_writer Zq9 long/pass Zq9%20long%2Fpass');
    resolveConnectionSettings(connection('pg'), env);
    const after = mask('pg-prod-7.internal etl_writer Zq9 long/pass literal-key-value Zq9%20long%2Fpass');
    assert.equal(after, '*** *** *** *** ***');
  });

  it('leaves a literal setting with an ordinary name unmasked', () => {
    resolveConnectionSettings(connection('warehouse'), { WH_FILE: 'plain-file.duckdb' });
    assert.equal(mask('data/warehouse.duckdb'), 'data/warehouse.duckdb');
  });
});
