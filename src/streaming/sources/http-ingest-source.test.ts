import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { HttpIngestSource } from './http-ingest-source.ts';
import { IngestEndpoints, IngestRefusal } from './ingest-endpoints.ts';

const settings = { type: 'http' as const, max_body: 1024, max_requests: 2, wait: 5000, idempotency_window: 60_000 };
const record = (s: string) => ({ payload: Buffer.from(s) });
const open = (overrides: Partial<typeof settings> = {}, maxInFlight = 10) => new HttpIngestSource({ ...settings, ...overrides }, { format: 'json', delimiter: ',' }, { pipeline: 'p', maxInFlight, ingest: new IngestEndpoints() });
const never = new AbortController().signal;

describe('the HTTP ingest source', () => {
  it('answers a request once each record is acknowledged or refused, with the refused ones by index', async () => {
    const source = open();
    const answer = source.submit([record('a'), record('b'), record('c')], 'k1');
    const messages = await source.pull(10, 100, never);
    assert.deepEqual(messages.map((m) => m.id), ['k1#0', 'k1#1', 'k1#2']);
    await source.reject([{ message: messages[1]!, reason: 'column x' }]);
    await source.ack([messages[0]!]);
    assert.equal(await source.lag(), 3, 'the request still waits for one record');
    await source.ack([messages[2]!, messages[0]!]);
    assert.deepEqual(await answer, { kind: 'committed', accepted: 2, rejected: [{ index: 1, line: undefined, reason: 'column x' }] });
    assert.equal(await source.lag(), 0);
  });

  it('bounds the requests and records it holds, and refuses a key still in flight', async () => {
    const source = open({}, 4);
    void source.submit([record('a')], 'one');
    await assert.rejects(source.submit([record('a')], 'one'), (e) => e instanceof IngestRefusal && e.reason === 'key_in_use');
    await assert.rejects(source.submit([record('a'), record('b'), record('c'), record('d')], 'two'), (e) => e instanceof IngestRefusal && e.reason === 'busy');
    await assert.rejects(source.submit(Array.from({ length: 5 }, () => record('x')), 'big'), (e) => e instanceof IngestRefusal && e.reason === 'too_many_records');
    void source.submit([record('b')], undefined);
    await assert.rejects(source.submit([record('c')], 'three'), (e) => e instanceof IngestRefusal && e.reason === 'busy', 'max_requests is 2');
    await source.close();
  });

  it('settles a made-up key once answered, and a client key only after the idempotency window', async () => {
    const source = open({ idempotency_window: 50 });
    const answered = source.submit([record('a')], undefined);
    const keyed = source.submit([record('b')], 'client');
    const messages = await source.pull(10, 100, never);
    let settled = await source.settledIds();
    assert.deepEqual(messages.map((m) => settled(m.id)), [false, false], 'nothing in flight is settled');
    await source.ack(messages);
    await Promise.all([answered, keyed]);
    settled = await source.settledIds();
    assert.deepEqual(messages.map((m) => settled(m.id)), [true, false]);
    assert.equal(settled('from-before-a-restart#0'), false, 'a key found in the committed ids counts from now');
    await new Promise((resolve) => setTimeout(resolve, 80));
    settled = await source.settledIds();
    assert.equal(settled('client#0'), true);
  });

  it('answers waiting requests as stopped when it closes, and times out a request not committed in time', async () => {
    const source = open({ wait: 30 });
    assert.deepEqual(await source.submit([record('a')], 'slow'), { kind: 'timeout', waitedMs: 30 });
    const waiting = open();
    const pending = waiting.submit([record('a')], 'x');
    await waiting.close();
    assert.deepEqual(await pending, { kind: 'stopped' });
    assert.deepEqual(await waiting.submit([record('a')], 'y'), { kind: 'stopped' });
  });
});
