import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { sluice, tempDir, writeProject } from './cli-helpers.ts';

const { dir, cleanup } = tempDir('sluice-old-spellings-');
after(cleanup);

describe('old spellings in project files', () => {
  it('still run, with one warning each that names the file and line of the key to rename', async () => {
    writeProject(dir, {
      'sluice.yaml': 'name: old_spellings\n',
      'connections.yaml': 'connections:\n  lake:\n    type: duckdb\n    path: lake.duckdb\n',
      'pipelines/p.yaml': 'blocks:\n  - name: raw\n    type: loader\n    file: blocks/raw.sql\n  - name: keep\n    role: exporter\n    connection: lake\n    upstream: [raw]\n    settings: { table: kept }\n',
      'blocks/raw.sql': 'select 1 as id\n',
    });
    const validated = await sluice(dir, ['validate']);
    assert.equal(validated.code, 0, validated.stdout + validated.stderr);
    assert.match(validated.stdout, /connections\.yaml:3:\d+.*'type: duckdb' is the old spelling of 'connector: duckdb'/);
    assert.match(validated.stdout, /pipelines\/p\.yaml:3:\d+.*'type: loader' is the old spelling of 'role: loader'/);

    const run = await sluice(dir, ['run', 'p']);
    assert.equal(run.code, 0, run.stdout + run.stderr);
    assert.equal(run.stderr.match(/old spelling of 'connector: duckdb'/g)?.length, 1);
    assert.equal(run.stderr.match(/old spelling of 'role: loader'/g)?.length, 1);
  });
});
