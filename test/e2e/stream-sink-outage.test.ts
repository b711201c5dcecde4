import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { stop } from './cli-helpers.ts';
import { createStreamWorld, publishToJetStream, startStream, type StreamWorld } from './stream-fixtures.ts';
import { requirePrerequisites } from '../../src/testing/require-prerequisites.ts';
import { waitFor } from '../../src/testing/wait-for.ts';

const skip = await requirePrerequisites('postgres', 'nats-jetstream');
const messages = 2000;

describe('a sink that refuses commits for a while', { skip }, () => {
  let world: StreamWorld;
  let drop: () => Promise<void> = async () => undefined;
  const name = `outage_${randomBytes(4).toString('hex')}`;
  before(async () => {
    world = await createStreamWorld('stream_outage');
    const t = `${world.name}.${name}`;
    // While the gate is shut, every insert fails as a server that cannot take connections would (57P03): retryable.
    await world.query(`CREATE TABLE ${world.name}.gate (open boolean NOT NULL); INSERT INTO ${world.name}.gate VALUES (false)`);
    await world.query(`CREATE TABLE ${t} (id bigint NOT NULL, amount double precision)`);
    await world.query(`CREATE FUNCTION ${world.name}.shut() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN
      IF NOT (SELECT open FROM ${world.name}.gate) THEN RAISE EXCEPTION 'the database is not taking writes' USING ERRCODE = '57P03'; END IF;
      RETURN NEW; END $$`);
    await world.query(`CREATE TRIGGER shut BEFORE INSERT ON ${t} FOR EACH ROW EXECUTE FUNCTION ${world.name}.shut()`);
    ({ drop } = await publishToJetStream(name.toUpperCase(), `${name}.events`, Array.from({ length: messages }, (_, i) => JSON.stringify({ id: i + 1, amount: i }))));
    world.pipeline(name, ['kind: streaming', `source: { type: nats_jetstream, stream: ${name.toUpperCase()}, ack_wait: 2s }`, 'payload: { columns: { id: BIGINT NOT NULL, amount: DOUBLE } }', 'batch_size: 500', 'sinks:', `  - { connection: pg, table: ${name} }`, ''].join('\n'));
  });
  after(async () => {
    await drop();
    await world?.close();
  });

  it('keeps the messages unacknowledged, retries with backoff, and loses or doubles nothing once it is back', async () => {
    const run = startStream(world.dir, name);
    const retries = () => run.output().match(/failed \(attempt \d+\), retrying in \d+ ms/g)?.length ?? 0;
    await waitFor(() => retries() >= 3 || run.child.exitCode !== null, { what: 'three failed commits' });
    assert.equal(run.child.exitCode, null, run.output());
    assert.match(run.output(), /the database is not taking writes/);
    assert.equal(Number((await world.query(`SELECT count(*) AS n FROM ${world.name}.${name}`))[0]!.n), 0);
    await world.query(`UPDATE ${world.name}.gate SET open = true`);
    await waitFor(async () => Number((await world.query(`SELECT count(*) AS n FROM ${world.name}.${name}`))[0]!.n) >= messages, { what: `all ${messages} rows after the sink came back`, giveUpWhen: () => (run.child.exitCode !== null ? run.output() : undefined) });
    await stop(run.child, 'SIGINT');
    assert.equal(await run.exited, 0, run.output());
    const [row] = await world.query(`SELECT count(*) AS n, count(DISTINCT id) AS k, sum(id) AS s FROM ${world.name}.${name}`);
    assert.deepEqual({ rows: Number(row!.n), ids: Number(row!.k), sum: Number(row!.s) }, { rows: messages, ids: messages, sum: (messages * (messages + 1)) / 2 });
  });
});
