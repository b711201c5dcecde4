import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { useDataPlaneSession } from '../../testing/data-plane-session.ts';
import type { Block } from '../pipeline/pipeline.ts';
import { SqliteRunStore } from '../run-store/sqlite-run-store.ts';
import { createLogger } from '../run/logger.ts';
import { driftSettingsSchema } from './drift-settings.ts';
import { judgeBlockDrift } from './judge-block-drift.ts';

const plane = useDataPlaneSession('sluice-judge-drift-');
let store: SqliteRunStore;
before(() => {
  store = new SqliteRunStore(path.join(plane.dir, 'sluice.db'));
});
after(() => store.close());

const block: Block = { name: 'orders', role: 'transformer', language: 'sql', file: 'blocks/orders.sql', upstream: [], declaredAt: { file: 'pipelines/shop.yaml', line: 3 } };
let runs = 0;

/** Records `baselineSql`'s output as the baseline, then judges `sql`'s output under `policy`. */
async function judge(policy: string, baselineSql: string, sql: string) {
  const settings = driftSettingsSchema.parse(policy);
  const pipeline = `shop_${policy}_${runs}`;
  const logged: string[] = [];
  const logger = createLogger((level, message) => logged.push(`${level} ${message}`));
  const outputs = [];
  for (const query of [baselineSql, sql]) {
    const runId = `r${++runs}`;
    await store.createRun({ id: runId, pipeline, pipelineVersion: 'v1', variables: {}, trigger: 'manual', startedAt: new Date().toISOString() });
    const output = await plane.session.storeQuery(query, path.join(plane.dir, `${runId}.parquet`));
    const judged = await judgeBlockDrift({ store, session: plane.session, pipeline, block, runId, output, settings, logger });
    if (judged.fingerprint) await store.putFingerprint({ runId, pipeline, block: block.name, fingerprint: judged.fingerprint, at: new Date(Date.now() + runs).toISOString() });
    outputs.push(judged);
  }
  return { judged: outputs[1]!, logged };
}

const iso = `SELECT * FROM (VALUES (1, '2024-03-07'), (2, '2024-03-08')) t(id, day)`;
const us = `SELECT * FROM (VALUES (1, '03/07/2024'), (2, '03/08/2024')) t(id, day)`;
const widened = `SELECT * FROM (VALUES (1, '2024-03-07', 'x'), (2, '2024-03-08', 'y')) t(id, day, note)`;

describe('judgeBlockDrift', () => {
  it('sets the baseline on a block\'s first output and finds nothing in the same shape again', async () => {
    const { judged, logged } = await judge('warn', iso, iso);
    assert.deepEqual(judged.events, []);
    assert.equal(judged.failure, undefined);
    assert.deepEqual(logged, []);
  });

  it('under evolve, accepts a new format quietly and takes it as the next baseline', async () => {
    const { judged, logged } = await judge('evolve', iso, us);
    assert.deepEqual(judged.events.map((e) => [e.kind, e.action]), [['format_changed', 'accepted']]);
    assert.equal(judged.failure, undefined);
    assert.equal(judged.fingerprint?.columns[1]?.shape, '99/99/9999');
    assert.match(logged[0]!, /^info drift in orders: format of day changed: 9999-99-99 -> 99\/99\/9999 \(2 rows\); accepted/);
  });

  it('under freeze, fails on a new column and only warns on a changed format', async () => {
    const frozen = await judge('freeze', iso, widened);
    assert.deepEqual(frozen.judged.events.map((e) => [e.kind, e.action]), [['added_column', 'failed']]);
    assert.equal(frozen.judged.failure?.code, 'quality.drift');
    assert.match(frozen.judged.failure!.message, /drift: freeze\); nothing was kept:\n {2}new column note VARCHAR in 2 rows; e\.g\. \{"id":1,"day":"2024-03-07","note":"x"\}/);
    assert.deepEqual(frozen.judged.failure!.location, { file: 'pipelines/shop.yaml', line: 3, block: 'orders' });
    const warned = await judge('freeze', iso, us);
    assert.deepEqual(warned.judged.events.map((e) => e.action), ['warned']);
    assert.equal(warned.judged.failure, undefined);
  });

  it('under discard_row, refuses a change of columns, which no row can be blamed for', async () => {
    const { judged } = await judge('discard_row', iso, widened);
    assert.equal(judged.failure?.code, 'quality.drift');
    assert.equal(judged.discarded, undefined);
  });

  it('under off, neither fingerprints nor judges', async () => {
    const { judged } = await judge('off', iso, us);
    assert.deepEqual([judged.events, judged.fingerprint], [[], undefined]);
  });
});
