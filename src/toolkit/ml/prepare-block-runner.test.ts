import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createDuckDbDataPlane } from '../../core/data-plane/duckdb-data-plane.ts';
import type { DataPlane, DataPlaneSession, Row, StoredOutput } from '../../core/data-plane/data-plane.ts';
import { loadPipeline } from '../../core/pipeline/load-pipeline.ts';
import type { PrepareBlock } from '../../core/pipeline/pipeline.ts';
import type { BlockRunContext } from '../../core/run/block-runner.ts';
import { createLogger } from '../../core/run/logger.ts';
import { readRunFiles } from '../../core/run/run-files.ts';
import { createLocalFolderOutputStore } from '../../core/output-store/local-folder-output-store.ts';
import type { OutputStore } from '../../core/output-store/output-store.ts';
import { createS3Client } from '../../core/output-store/s3-client.ts';
import { createS3OutputStore } from '../../core/output-store/s3-output-store.ts';
import { startS3TestServer, type S3TestServer } from '../../testing/s3-test-server.ts';
import { createPrepareBlockRunner, fittedTransformsFile } from './prepare-block-runner.ts';

/** 30 customers with 1 to 3 orders each; the amounts and countries vary by customer so each side's parameters differ. */
const orders: Row[] = [];
for (let c = 1; c <= 30; c++) {
  for (let k = 0; k < 1 + (c % 3); k++) {
    orders.push({
      id: orders.length + 1,
      customer: `c${String(c).padStart(2, '0')}`,
      placed: `2024-0${1 + (orders.length % 6)}-1${k}`,
      amount: c * 10 + k,
      // 'IT' is only ever the country of customer 30, so it is unseen when that customer is in test.
      country: c === 30 ? 'IT' : ['FR', 'DE', 'ES'][c % 3]!,
    });
  }
}

describe('the prepare block runner: train and test as block outputs, fitted parameters kept with the run', () => {
  const root = mkdtempSync(path.join(os.tmpdir(), 'sluice-prepare-'));
  const stateDir = path.join(root, '.sluice');
  const runner = createPrepareBlockRunner();
  let dataPlane: DataPlane;
  let session: DataPlaneSession;
  let upstream: StoredOutput;
  const outputs: OutputStore = createLocalFolderOutputStore(path.join(stateDir, 'outputs'));
  const write = (file: string, text: string): void => {
    mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
    writeFileSync(path.join(root, file), text);
  };
  const preparePipeline = (settings: string, ordersBlock = '{ name: orders, file: blocks/raw.sql }') => {
    write('pipelines/p.yaml', `blocks:\n  - ${ordersBlock}\n  - name: features\n    upstream: [orders]\n    prepare:\n${settings}`);
    return loadPipeline(root, 'p');
  };
  const prepareBlocks = (settings: string, ordersBlock?: string): PrepareBlock[] => preparePipeline(settings, ordersBlock).blocks.filter((b): b is PrepareBlock => b.language === 'prepare');
  let n = 0;
  /** Runs the split block, then its two sides on its output, as a run would; `personal` marks columns (the orders block's `pii:`, project rules). */
  const runAll = async (settings: string, runId: string, store: OutputStore = outputs, personal: { ordersBlock?: string; rules?: string[] } = {}) => {
    const pipeline = preparePipeline(settings, personal.ordersBlock);
    const [split, train, test] = pipeline.blocks.filter((b): b is PrepareBlock => b.language === 'prepare');
    const run = async (block: PrepareBlock, input: { name: string; output: StoredOutput }) => {
      const context = {
        project: { root, stateDir, settings: { pii: { columns: personal.rules ?? [] } } },
        pipeline,
        runId,
        session,
        outputs: store,
        inputs: [input],
        outputLocation: path.join(root, 'out', `${block.name}-${++n}.parquet`),
        tempDir: path.join(root, 'tmp', String(n)),
        signal: new AbortController().signal,
        logger: createLogger(() => undefined),
      } as unknown as BlockRunContext;
      mkdirSync(context.tempDir, { recursive: true });
      const result = await runner(block, context);
      await session.attach(block.name, result.output!);
      return { result, rows: await session.query(`SELECT * FROM "${block.name}"`) };
    };
    const whole = await run(split!, { name: 'orders', output: upstream });
    return {
      whole,
      train: await run(train!, { name: 'features', output: whole.result.output! }),
      test: await run(test!, { name: 'features', output: whole.result.output! }),
      fitted: (await readRunFiles(store, stateDir, { pipeline: 'p', runId, block: 'features' }))[fittedTransformsFile] as { fittedOnRows: number; columns: Record<string, Record<string, unknown>> },
    };
  };

  before(async () => {
    write('sluice.yaml', 'name: prepare\n');
    write('blocks/raw.sql', 'select 1\n');
    mkdirSync(path.join(root, 'out'));
    dataPlane = await createDuckDbDataPlane({ tempDir: path.join(root, 'spill') });
    session = await dataPlane.openSession();
    async function* batches() {
      yield orders.map((r) => ({ ...r }));
    }
    upstream = await session.storeRows(batches(), path.join(root, 'out', 'orders.parquet'), { id: 'INTEGER', customer: 'VARCHAR', placed: 'DATE', amount: 'DOUBLE', country: 'VARCHAR' });
    await session.attach('orders', upstream);
  });
  after(async () => {
    await session.close();
    await dataPlane.close();
    rmSync(root, { recursive: true, force: true });
  });

  it('adds a train and a test block beside the prepare block, each reading its output', () => {
    const blocks = prepareBlocks('      split: { by: group, column: customer, test_fraction: 0.3, seed: 1 }\n');
    assert.deepEqual(blocks.map((b) => [b.name, b.part, b.upstream, b.declaredName]), [
      ['features', 'split', ['orders'], 'features'],
      ['features__train', 'train', ['features'], 'features'],
      ['features__test', 'test', ['features'], 'features'],
    ]);
  });

  it('splits by time into sides of exactly the rows before and after the cutoff, without the split column', async () => {
    const { train, test, whole } = await runAll("      split: { by: time, column: placed, cutoff: '2024-04-01' }\n", 'time-1');
    // Counted by hand from the orders: months 1-3 are before the cutoff.
    const before = orders.filter((o) => String(o.placed) < '2024-04-01').length;
    assert.equal(before, 30);
    assert.equal(train.rows.length, before);
    assert.equal(test.rows.length, orders.length - before);
    assert.deepEqual(train.result.output!.columns.map((c) => c.name), ['id', 'customer', 'placed', 'amount', 'country']);
    assert.equal(train.result.summary, `${before} train rows`);
    assert.equal(whole.result.summary, `train ${before}, test ${orders.length - before}`);
  });

  const byGroup = (seed: number) => `      split: { by: group, column: customer, test_fraction: 0.3, seed: ${seed} }
      transform:
        amount: { scale: standard }
        country: { encode: one_hot, unseen: ignore }
`;

  it('keeps every customer on one side, every row of a side, and fits the parameters on the train rows alone', async () => {
    const { train, test, fitted } = await runAll(byGroup(42), 'group-1');
    const trainCustomers = new Set(train.rows.map((r) => r.customer));
    const testCustomers = new Set(test.rows.map((r) => r.customer));
    assert.ok(testCustomers.size > 0 && trainCustomers.size > 0);
    assert.deepEqual([...testCustomers].filter((c) => trainCustomers.has(c)), [], 'no customer on both sides');
    assert.equal(trainCustomers.size + testCustomers.size, 30);
    // Exact counts: each side holds every order of its customers and nothing else.
    assert.equal(train.rows.length, orders.filter((o) => trainCustomers.has(o.customer)).length);
    assert.equal(test.rows.length, orders.filter((o) => testCustomers.has(o.customer)).length);

    // The mean and (population) standard deviation of the train orders' amounts, by hand.
    const trainAmounts = orders.filter((o) => trainCustomers.has(o.customer)).map((o) => Number(o.amount));
    const mean = trainAmounts.reduce((a, b) => a + b, 0) / trainAmounts.length;
    const std = Math.sqrt(trainAmounts.reduce((a, b) => a + (b - mean) ** 2, 0) / trainAmounts.length);
    const allMean = orders.reduce((a, o) => a + Number(o.amount), 0) / orders.length;
    assert.notEqual(mean.toFixed(6), allMean.toFixed(6), 'this split must tell train-only from all-rows parameters');
    assert.equal(fitted.fittedOnRows, train.rows.length);
    assert.equal(fitted.columns.amount!.kind, 'standard');
    assert.ok(Math.abs(Number(fitted.columns.amount!.mean) - mean) < 1e-9, `${String(fitted.columns.amount!.mean)} vs ${mean}`);
    assert.ok(Math.abs(Number(fitted.columns.amount!.std) - std) < 1e-9, `${String(fitted.columns.amount!.std)} vs ${std}`);
    const trainCountries = [...new Set(orders.filter((o) => trainCustomers.has(o.customer)).map((o) => String(o.country)))].sort();
    assert.deepEqual(fitted.columns.country, { kind: 'one_hot', categories: trainCountries, unseen: 'ignore' });

    // The test rows are scaled with the train parameters.
    for (const row of test.rows) {
      const raw = Number(orders[Number(row.id) - 1]!.amount);
      assert.ok(Math.abs(Number(row.amount) - (raw - mean) / std) < 1e-9, `order ${String(row.id)}`);
    }
    assert.deepEqual(test.result.output!.columns.map((c) => c.name), ['id', 'customer', 'placed', 'amount', ...trainCountries.map((c) => `country_${c}`)]);
  });

  it('gives the same sides for the same seed, and others for another', async () => {
    const ids = (rows: readonly Row[]) => rows.map((r) => Number(r.id)).sort((a, b) => a - b);
    const first = await runAll(byGroup(42), 'group-2');
    const again = await runAll(byGroup(42), 'group-3');
    assert.deepEqual(ids(again.test.rows), ids(first.test.rows));
    assert.deepEqual(again.fitted, first.fitted);
    const other = await runAll(byGroup(7), 'group-4');
    assert.notDeepEqual(ids(other.test.rows), ids(first.test.rows));
  });

  it("keeps the fitted parameters with the run's outputs in an S3 bucket, and removes them with the run", async () => {
    let server: S3TestServer | undefined;
    const cacheDir = mkdtempSync(path.join(os.tmpdir(), 'sluice-prepare-s3-cache-'));
    try {
      server = await startS3TestServer('prepare-fitted');
      const s3 = server;
      const bucket = createS3OutputStore({
        bucket: s3.bucket,
        prefix: 'team/outputs',
        cacheDir,
        client: () => createS3Client({ endpoint: s3.endpoint, region: 'us-east-1', forcePathStyle: true, accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey, partSize: 64 * 2 ** 20 }),
      });
      const { fitted, train } = await runAll(byGroup(42), 's3-1', bucket);
      assert.equal(fitted.fittedOnRows, train.rows.length);
      assert.deepEqual(await readRunFiles(outputs, stateDir, { pipeline: 'p', runId: 's3-1', block: 'features' }), {}, 'nothing kept in the local folder');
      // Read back through another store on the same bucket, as a server on another machine would.
      const elsewhere = createS3OutputStore({ bucket: s3.bucket, prefix: 'team/outputs', cacheDir: path.join(cacheDir, 'other'), client: () => createS3Client({ endpoint: s3.endpoint, region: 'us-east-1', forcePathStyle: true, accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey, partSize: 64 * 2 ** 20 }) });
      assert.deepEqual((await readRunFiles(elsewhere, stateDir, { pipeline: 'p', runId: 's3-1', block: 'features' }))[fittedTransformsFile], fitted);
      await elsewhere.delete(elsewhere.location({ pipeline: 'p', runId: 's3-1' }));
      assert.deepEqual(await readRunFiles(bucket, stateDir, { pipeline: 'p', runId: 's3-1', block: 'features' }), {});
    } finally {
      await server?.close();
      rmSync(cacheDir, { recursive: true, force: true });
    }
  });

  it('refuses to one-hot encode a personal-data column, whose values would become column names', async () => {
    const refused = (error: unknown) => error instanceof Error && /one_hot names a column after each value, and 'country' holds personal data/.test(error.message);
    await assert.rejects(runAll(byGroup(42), 'pii-1', outputs, { ordersBlock: '{ name: orders, file: blocks/raw.sql, pii: [Country] }' }), refused);
    await assert.rejects(runAll(byGroup(42), 'pii-2', outputs, { rules: ['count*'] }), refused);
    const ordinal = byGroup(42).replace('encode: one_hot', 'encode: ordinal');
    const { fitted } = await runAll(ordinal, 'pii-3', outputs, { ordersBlock: '{ name: orders, file: blocks/raw.sql, pii: [country] }' });
    assert.equal(fitted.columns.country!.kind, 'ordinal');
  });

  it('reads the fitted parameters a run kept in the state folder before they went to the output store', async () => {
    const legacy = path.join(stateDir, 'run-files', 'p', 'old-run', 'features');
    mkdirSync(legacy, { recursive: true });
    writeFileSync(path.join(legacy, fittedTransformsFile), '{"version":1,"fittedOnRows":3,"columns":{}}\n');
    assert.deepEqual(await readRunFiles(outputs, stateDir, { pipeline: 'p', runId: 'old-run', block: 'features' }), { [fittedTransformsFile]: { version: 1, fittedOnRows: 3, columns: {} } });
  });
});
