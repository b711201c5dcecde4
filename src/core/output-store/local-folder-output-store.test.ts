import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { createLocalFolderOutputStore } from './local-folder-output-store.ts';
import { describeOutputStoreContract } from './output-store-contract.ts';

describe('the local folder output store', () => {
  const root = mkdtempSync(path.join(os.tmpdir(), 'sluice-outputs-'));
  after(() => rmSync(root, { recursive: true, force: true }));
  const outputs = createLocalFolderOutputStore(root);

  it('keeps each block output in a folder of its pipeline and run', () => {
    assert.equal(outputs.location({ pipeline: 'sales', runId: 'r1', block: 'clean' }), path.join(root, 'sales', 'r1', 'clean.parquet'));
    assert.equal(outputs.location({ pipeline: 'sales', runId: 'r1' }), path.join(root, 'sales', 'r1'));
  });

  it('lets the data plane write in place, and reads the file where it is', async () => {
    const location = outputs.location({ pipeline: 'sales', runId: 'r2', block: 'clean' });
    const staged = outputs.stagingPath(location, path.join(root, 'scratch'));
    assert.equal(staged, location);
    mkdirSync(path.dirname(staged), { recursive: true });
    writeFileSync(staged, 'rows');
    await outputs.write(location, staged);
    assert.equal(await outputs.exists(location), true);
    assert.equal(readFileSync(await outputs.read(location), 'utf8'), 'rows');
  });

  it('moves a file staged elsewhere into its location', async () => {
    const location = outputs.location({ pipeline: 'sales', runId: 'r3', block: 'clean' });
    const staged = path.join(root, 'elsewhere.parquet');
    writeFileSync(staged, 'moved');
    await outputs.write(location, staged);
    assert.equal(readFileSync(location, 'utf8'), 'moved');
  });

  it("deletes one output or a whole run's, and deleting twice is no error", async () => {
    const one = outputs.location({ pipeline: 'sales', runId: 'r4', block: 'a' });
    const two = outputs.location({ pipeline: 'sales', runId: 'r4', block: 'b' });
    for (const file of [one, two]) {
      mkdirSync(path.dirname(file), { recursive: true });
      writeFileSync(file, 'x');
    }
    await outputs.delete(one);
    assert.equal(await outputs.exists(one), false);
    assert.equal(await outputs.exists(two), true);
    await outputs.delete(outputs.location({ pipeline: 'sales', runId: 'r4' }));
    assert.equal(await outputs.exists(two), false);
    await outputs.delete(one);
  });
});

describeOutputStoreContract('the local folder output store', async () => {
  const root = mkdtempSync(path.join(os.tmpdir(), 'sluice-outputs-'));
  return { outputs: createLocalFolderOutputStore(root), close: async () => rmSync(root, { recursive: true, force: true }) };
});
