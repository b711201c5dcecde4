import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { ConfigError, SluiceError } from '../core/errors.ts';
import { loadProject } from '../core/project/load-project.ts';
import { createOutputStore } from './create-output-store.ts';

describe('the output store sluice.yaml names', () => {
  const dirs: string[] = [];
  after(() => dirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));
  const project = (yaml: string) => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'sluice-outputs-config-'));
    dirs.push(dir);
    writeFileSync(path.join(dir, 'sluice.yaml'), `name: shop\n${yaml}`);
    return loadProject(dir);
  };

  it('is the local folder without outputs:', () => {
    const p = project('');
    assert.equal(createOutputStore(p).location({ pipeline: 'sales', runId: 'r1', block: 'clean' }), path.join(p.stateDir, 'outputs', 'sales', 'r1', 'clean.parquet'));
  });

  it('is the bucket with outputs: { store: s3 }', () => {
    const outputs = createOutputStore(project('outputs: { store: s3, bucket: shop-data, prefix: team/shop }\n'));
    assert.equal(outputs.location({ pipeline: 'sales', runId: 'r1', block: 'clean' }), 's3://shop-data/team/shop/sales/r1/clean.parquet');
  });

  it('reads the credentials when an output is first touched, and names the variable that is missing', async () => {
    const outputs = createOutputStore(project("outputs: { store: s3, bucket: shop-data, access_key_id: '${SHOP_TEST_KEY_UNSET}', secret_access_key: '${SHOP_TEST_SECRET_UNSET}' }\n"));
    await assert.rejects(outputs.exists('s3://shop-data/sales/r1/clean.parquet'), (error: unknown) => {
      assert.ok(error instanceof ConfigError);
      assert.equal(error.code, 'outputs.env_missing');
      assert.match(error.message, /SHOP_TEST_KEY_UNSET/);
      return true;
    });
  });

  it('refuses a bucket name S3 would refuse, naming the line of sluice.yaml', () => {
    assert.throws(() => project('outputs: { store: s3, bucket: ab }\n'), (error: unknown) => {
      assert.ok(error instanceof SluiceError);
      assert.equal(error.code, 'config.invalid');
      assert.deepEqual([error.location?.file, error.location?.line], ['sluice.yaml', 2]);
      assert.match(error.message, /^outputs\.bucket: a bucket name is 3 to 63/);
      return true;
    });
  });
});
