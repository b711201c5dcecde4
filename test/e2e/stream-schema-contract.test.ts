import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { sluice, stop } from './cli-helpers.ts';
import { countRows, createStreamWorld, publishToRedis, startStream, type StreamWorld } from './stream-fixtures.ts';
import { requirePrerequisites } from '../../src/testing/require-prerequisites.ts';
import { waitFor } from '../../src/testing/wait-for.ts';
import type { StreamHeartbeat } from '../../src/streaming/index.ts';

const skip = await requirePrerequisites('postgres', 'redis');
const total = 100;

/** Orders 1..100; order 50 brings a field no column declares, order 60 an amount that is not a number. */
const payloads = Array.from({ length: total }, (_, i) => {
  const id = i + 1;
  return JSON.stringify(id === 50 ? { id, amount: 1, color: 'red' } : id === 60 ? { id, amount: 'lots' } : { id, amount: id / 4 });
});

describe('schema contracts on a streaming pipeline', { skip }, () => {
  let world: StreamWorld;
  const drops: (() => Promise<void>)[] = [];
  const key = `contract_${randomBytes(4).toString('hex')}`;
  before(async () => {
    world = await createStreamWorld('stream_contract');
    for (const contract of ['discard_row', 'freeze']) {
      drops.push((await publishToRedis(`${key}_${contract}`, payloads)).drop);
      world.pipeline(contract, [
        'kind: streaming',
        `source: { type: redis_streams, stream: ${key}_${contract}, claim_idle: 1s }`,
        'payload: { columns: { id: BIGINT NOT NULL, amount: DOUBLE } }',
        `schema_contract: ${contract}`,
        'max_deliver: 2',
        'retry_delay: 100ms',
        'batch_wait: 20ms',
        `dead_letter_table: letters_${contract}`,
        'sinks:',
        `  - { connection: pg, table: ${contract} }`,
        '',
      ].join('\n'));
    }
  });
  after(async () => {
    for (const drop of drops) await drop();
    await world?.close();
  });

  for (const [contract, deliveries] of [['discard_row', 1], ['freeze', 2]] as const) {
    it(`${contract}: the records that do not fit are dead-lettered after ${deliveries} deliver${deliveries === 1 ? 'y' : 'ies'}, naming the field or column, and the table keeps its columns`, async () => {
      const run = startStream(world.dir, contract);
      await waitFor(async () => (await countRows(world, contract)) === total - 2 && (await countRows(world, `letters_${contract}`)) === 2, {
        what: `${total - 2} rows and two dead letters`,
        giveUpWhen: () => (run.child.exitCode !== null ? run.output() : undefined),
      });
      await stop(run.child, 'SIGINT');
      const letters = await world.query(`SELECT reason, deliveries FROM ${world.name}.letters_${contract} ORDER BY reason`);
      assert.deepEqual(letters.map((l) => Number(l.deliveries)), [deliveries, deliveries]);
      assert.match(String(letters[0]!.reason), /column amount \(DOUBLE\): "lots" is not a valid value/);
      assert.match(String(letters[1]!.reason), new RegExp(`field color is not a declared column and the schema contract is ${contract}`));
      const columns = await world.query(`SELECT column_name FROM information_schema.columns WHERE table_schema = '${world.name}' AND table_name = '${contract}' ORDER BY ordinal_position`);
      assert.deepEqual(columns.map((c) => c.column_name), ['id', 'amount']);
      const beat = (JSON.parse((await sluice(world.dir, ['stream', 'status', '--json'])).stdout) as StreamHeartbeat[]).find((b) => b.pipeline === contract)!;
      assert.equal(beat.retried, contract === 'discard_row' ? 0 : 2, 'discard_row never delivers a record that does not fit again');
    });
  }

  it('refuses freeze and discard_row on JSON without declared columns', async () => {
    world.pipeline('undeclared', ['kind: streaming', `source: { type: redis_streams, stream: ${key}_none }`, 'schema_contract: freeze', 'sinks:', '  - { connection: pg, table: undeclared }', ''].join('\n'));
    const validated = await sluice(world.dir, ['validate']);
    assert.equal(validated.code, 2, validated.stdout + validated.stderr);
    assert.match(validated.stdout + validated.stderr, /freeze and discard_row contracts hold records to declared columns: give payload.columns/);
  });
});
