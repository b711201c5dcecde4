import assert from 'node:assert/strict';
import { test } from 'node:test';
import { streamingFileSchema, type BrokerSinkFile } from '../../core/pipeline/streaming-schema.ts';
import { BrokerSink, type BrokerPublisher, type BrokerRecord } from './broker-sink.ts';
import { encodeRecord } from './encode-record.ts';
import { recordIds } from './record-ids.ts';

const base = { kind: 'streaming', source: { type: 'redis_streams', stream: 's' }, dead_letter_connection: 'pg' };

/** The sink's spec as its file gives it, defaults filled. */
function spec(sink: Record<string, unknown>): BrokerSinkFile {
  return streamingFileSchema.parse({ ...base, sinks: [sink] }).sinks[0] as BrokerSinkFile;
}

/** A publisher that keeps what it is given (the brokers themselves are tested in test/e2e/stream-broker-sinks.test.ts). */
function keeping(): BrokerPublisher & { published: BrokerRecord[] } {
  const published: BrokerRecord[] = [];
  return { description: 'kept', published, publish: async (records) => void published.push(...records), close: async () => undefined };
}

test('a subject, topic or routing key is filled from each row, a value never adding a level or a wildcard', async () => {
  const cases: [Record<string, unknown>, string][] = [
    [{ type: 'nats_jetstream', subject: 'orders.{region}.{kind}' }, 'orders.eu_west.a/b_c'],
    [{ type: 'mqtt', topic: 'orders/{region}/{kind}' }, 'orders/eu.west/a_b*c'],
    [{ type: 'rabbitmq', exchange: 'x', routing_key: 'o.{region}.{kind}' }, 'o.eu_west.a/b_c'],
  ];
  for (const [settings, key] of cases) {
    const publisher = keeping();
    await new BrokerSink('p', spec(settings), publisher).writeRows([{ region: 'eu.west', kind: 'a/b*c' }], {}, ['7#0'], ['7'], () => false);
    assert.equal(publisher.published[0]!.key, key);
    assert.equal(publisher.published[0]!.id, 'p:7#0');
  }
  const publisher = keeping();
  await new BrokerSink('p', spec({ type: 'nats_jetstream', subject: 'o.{region}' }), publisher).writeRows([{ region: null }], {}, ['7#0'], ['7'], () => false);
  assert.equal(publisher.published[0]!.key, 'o._', 'a missing value is _');
});

test("a record's id is its pipeline's name and its message's id, and the same when its batch comes again", () => {
  const inputs = [{ id: '1-0', rows: [{ a: 1 }, { a: 2 }] }, { id: '1-1', rows: [{ a: 3 }] }];
  assert.deepEqual(recordIds([{ a: 1 }, { a: 2 }, { a: 3 }], 'per_message', inputs), ['1-0#0', '1-0#1', '1-1#0']);
  assert.deepEqual(recordIds([{ x: 1 }], 'batch', inputs), ['b:1-0..1-1#0']);
  const window = { window_start: new Date(0), n: 2 };
  assert.deepEqual(recordIds([window], 'window', []), recordIds([{ ...window }], 'window', []));
  assert.notDeepEqual(recordIds([window], 'window', []), recordIds([{ ...window, n: 3 }], 'window', []));
});

test('a record is a JSON object, or a CSV line in column order with quoting', () => {
  const row = { id: 5n, at: new Date('2026-03-01T12:00:00Z'), note: 'say "hi", twice', empty: '', none: null };
  assert.equal(encodeRecord(row, {}, 'json').toString(), '{"id":5,"at":"2026-03-01T12:00:00.000Z","note":"say \\"hi\\", twice","empty":"","none":null}');
  const types = { id: 'BIGINT', at: 'TIMESTAMP', note: 'VARCHAR', empty: 'VARCHAR', none: 'VARCHAR' };
  assert.equal(encodeRecord(row, types, 'csv').toString(), '5,2026-03-01T12:00:00.000Z,"say ""hi"", twice","",');
});

test('broker sink settings are checked, each naming the setting', () => {
  const issues = (sink: Record<string, unknown>) => {
    const result = streamingFileSchema.safeParse({ ...base, sinks: [sink] });
    return result.success ? '' : result.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
  };
  assert.match(issues({ type: 'rabbitmq' }), /sinks.0.queue: give a queue, or an exchange/);
  assert.match(issues({ type: 'rabbitmq', queue: 'q', routing_key: 'k' }), /routing_key is for an exchange/);
  assert.match(issues({ type: 'mqtt', topic: 'a/+/b' }), /no \+ or #/);
  assert.match(issues({ type: 'nats_jetstream', subject: 'a.{re gion}' }), /a \{placeholder\} names a column/);
  assert.match(issues({ type: 'redis_streams', stream: 's', field: 'id' }), /the entry field 'id' holds the record's id/);
  assert.equal(issues({ type: 'nats_jetstream', subject: 'a.b', format: 'csv' }), '');
  assert.equal(spec({ type: 'redis_streams', stream: 's' }).format, 'json');
});
