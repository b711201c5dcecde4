import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { sluice, tempDir, writeProject } from './cli-helpers.ts';

const pipeline = (prepare: string): string => `blocks:
  - name: raw_orders
    connector: file
    settings: { path: data/orders.csv }
  - name: features
    upstream: [raw_orders]
    prepare:
${prepare}
  - name: export_features
    upstream: [features]
    connector: file
    settings: { path: out/features.csv }
  - name: export_test
    upstream: [features__test]
    connector: file
    settings: { path: out/test.csv }
`;

const byTime = `      split: { by: time, column: placed, cutoff: '2024-03-01' }
      transform:
        amount: { scale: min_max }
        country: { encode: one_hot, unseen: ignore }`;

describe('a no-code prepare block run by sluice run', () => {
  const { dir, cleanup } = tempDir('sluice-prepare-');
  let runId = '';
  after(cleanup);
  before(() =>
    writeProject(dir, {
      'sluice.yaml': 'name: modelling\n',
      'data/orders.csv': [
        'id,customer,placed,amount,country,as_of,orders_at',
        '1,ann,2024-01-05,10,FR,2024-01-05,2024-01-04',
        '2,bob,2024-02-10,30,DE,2024-02-10,2024-02-11',
        '3,ann,2024-03-02,20,FR,2024-03-02,2024-03-01',
        '4,cy,2024-03-09,50,ES,2024-03-09,2024-03-08',
        '',
      ].join('\n'),
      'pipelines/by_time.yaml': pipeline(byTime),
      'pipelines/leaky.yaml': pipeline(`${byTime}\n      leakage: { as_of: as_of, feature_times: { amount: orders_at } }`),
      'pipelines/bad.yaml': pipeline(`      split: { by: group, column: customer, test_fraction: 2, seed: 1 }`),
    }),
  );

  it('splits by time, scales and encodes with what the train rows alone say, and marks each row\'s side', async () => {
    const r = await sluice(dir, ['run', 'by_time']);
    assert.equal(r.code, 0, r.stderr + r.stdout);
    runId = /run (\S+): 6 blocks/.exec(r.stdout)![1]!;
    assert.match(r.stdout, /features +transformer +4 in → 4 out .* train 2, test 2\n/);
    assert.equal(
      readFileSync(path.join(dir, 'out/features.csv'), 'utf8'),
      [
        'id,customer,placed,amount,as_of,orders_at,country_DE,country_FR,split',
        '1,ann,2024-01-05,0.0,2024-01-05,2024-01-04,0,1,train',
        '2,bob,2024-02-10,1.0,2024-02-10,2024-02-11,1,0,train',
        '3,ann,2024-03-02,0.5,2024-03-02,2024-03-01,0,1,test',
        '4,cy,2024-03-09,2.0,2024-03-09,2024-03-08,0,0,test',
        '',
      ].join('\n'),
    );
  });

  it('gives the test side as a block of its own, without the split column', () => {
    assert.equal(
      readFileSync(path.join(dir, 'out/test.csv'), 'utf8'),
      ['id,customer,placed,amount,as_of,orders_at,country_DE,country_FR', '3,ann,2024-03-02,0.5,2024-03-02,2024-03-01,0,1', '4,cy,2024-03-09,2.0,2024-03-09,2024-03-08,0,0', ''].join('\n'),
    );
  });

  it('keeps the fitted parameters beside the run\'s outputs as a JSON file', () => {
    const fitted = JSON.parse(readFileSync(path.join(dir, '.sluice/outputs/by_time', runId, 'features.files/fitted-transforms.json'), 'utf8'));
    assert.deepEqual(fitted, { version: 1, fittedOnRows: 2, columns: { amount: { kind: 'min_max', min: 10, max: 30 }, country: { kind: 'one_hot', categories: ['DE', 'FR'], unseen: 'ignore' } } });
  });

  it('keeps the fitted parameters with the run, where sluice logs shows them', async () => {
    const logs = await sluice(dir, ['logs', runId]);
    assert.match(logs.stdout, /fitted transforms \(on 2 train rows\): \{"version":1,"fittedOnRows":2,"columns":\{"amount":\{"kind":"min_max","min":10,"max":30\},"country":\{"kind":"one_hot","categories":\["DE","FR"\],"unseen":"ignore"\}\}\}/);
  });

  it('fails a split whose feature is computed after the row\'s as-of time, naming the column and rows', async () => {
    const r = await sluice(dir, ['run', 'leaky']);
    assert.notEqual(r.code, 0);
    assert.match(r.stdout + r.stderr, /feature 'amount' is computed from data after 'as_of' in train row 2 \(orders_at 2024-02-11 > as_of 2024-02-10\)/);
  });

  it('refuses wrong settings in sluice validate, naming the file and block', async () => {
    const r = await sluice(dir, ['validate']);
    assert.notEqual(r.code, 0);
    assert.match(r.stdout + r.stderr, /pipelines\/bad\.yaml:\d+.*prepare: split\.test_fraction: /);
  });
});
