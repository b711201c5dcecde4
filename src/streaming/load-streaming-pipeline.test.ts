import type { TableSinkFile } from '../core/pipeline/streaming-schema.ts';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { ConfigError } from '../core/errors.ts';
import { loadPipeline } from '../core/pipeline/load-pipeline.ts';
import { loadStreamingPipeline } from './load-streaming-pipeline.ts';

const root = mkdtempSync(path.join(os.tmpdir(), 'sluice-streaming-'));
mkdirSync(path.join(root, 'pipelines'));
mkdirSync(path.join(root, 'transforms'));
writeFileSync(path.join(root, 'transforms', 'stamp.ts'), 'export default (r: object) => r;\n');
writeFileSync(path.join(root, 'transforms', 'shape.sql'), 'SELECT * FROM batch\n');
const write = (name: string, lines: string[]) => writeFileSync(path.join(root, 'pipelines', `${name}.yaml`), `${lines.join('\n')}\n`);
const base = ['kind: streaming', 'source: { type: redis_streams, stream: orders }'];
const located = (pattern: RegExp, line: number) => (error: unknown) => {
  assert.ok(error instanceof ConfigError, String(error));
  assert.match(error.message, pattern);
  assert.equal(error.location?.line, line, `line of: ${error.message}`);
  return true;
};

describe('loading a streaming pipeline', () => {
  after(() => rmSync(root, { recursive: true, force: true }));

  it('reads the settings with their defaults and resolves the transformer files', () => {
    write('ok', [...base, 'transformers:', '  - { name: stamp, file: transforms/stamp.ts }', '  - { name: shape, file: transforms/shape.sql }', 'sinks:', '  - { connection: pg, table: orders, mode: upsert, key: id }']);
    const pipeline = loadStreamingPipeline(root, 'ok');
    assert.equal(pipeline.settings.batch_size, 1000);
    assert.equal(pipeline.settings.batch_wait, 200);
    assert.equal(pipeline.settings.max_deliver, 5);
    assert.deepEqual((pipeline.settings.sinks[0] as TableSinkFile).key, ['id']);
    assert.deepEqual(pipeline.settings.source, { type: 'redis_streams', stream: 'orders', url: 'redis://127.0.0.1:6379', consumer: 'sluice', field: 'data', claim_idle: 30_000 });
    assert.deepEqual(pipeline.transformers.map((t) => [t.name, path.relative(root, t.file), t.per]), [['stamp', 'transforms/stamp.ts', 'record'], ['shape', 'transforms/shape.sql', 'record']]);
  });

  it('reads the old spelling type: streaming, with a warning naming its line', () => {
    write('old', ['type: streaming', 'source: { type: redis_streams, stream: orders }', 'sinks: [{ connection: pg, table: t }]']);
    const pipeline = loadStreamingPipeline(root, 'old');
    assert.deepEqual(pipeline.warnings?.map((w) => [w.code, w.location.line]), [['pipeline.type_deprecated', 1]]);
    assert.equal(loadStreamingPipeline(root, 'ok').warnings, undefined);
  });

  it('names the line of a broker it does not know', () => {
    write('broker', ['kind: streaming', 'source: { type: kafka, topic: orders }', 'sinks: [{ connection: pg, table: t }]']);
    assert.throws(() => loadStreamingPipeline(root, 'broker'), located(/nats_jetstream|redis_streams/, 2));
  });

  it('refuses an upsert sink without a key, and a CSV payload without columns', () => {
    write('nokey', [...base, 'sinks:', '  - { connection: pg, table: t, mode: upsert }']);
    assert.throws(() => loadStreamingPipeline(root, 'nokey'), located(/an upsert sink needs a key/, 4));
    write('csv', [...base, 'payload: { format: csv }', 'sinks: [{ connection: pg, table: t }]']);
    assert.throws(() => loadStreamingPipeline(root, 'csv'), located(/a CSV payload needs columns/, 3));
  });

  it('takes dead_letter_publish, and refuses it on the Redis stream a sink writes to', () => {
    const base = ['kind: streaming', 'source: { type: redis_streams, stream: in }'];
    write('dlq-own', [...base, 'sinks: [{ connection: pg, table: t }, { type: redis_streams, stream: out }]', 'dead_letter_publish: { type: redis_streams, stream: dead }']);
    assert.deepEqual(loadStreamingPipeline(root, 'dlq-own').settings.dead_letter_publish, { type: 'redis_streams', url: 'redis://127.0.0.1:6379', stream: 'dead', field: 'data', format: 'json' });
    write('dlq-shared', [...base, 'sinks: [{ connection: pg, table: t }, { type: redis_streams, stream: out }]', 'dead_letter_publish:', '  type: redis_streams', '  stream: out']);
    assert.throws(() => loadStreamingPipeline(root, 'dlq-shared'), located(/give the dead letters a stream of their own/, 6));
  });

  it('refuses idle_timeout on a windowed pipeline that publishes to a broker, whose windows come only from batches', () => {
    const window = ['window: { type: tumbling, time: ts, size: 1m, idle_timeout: 30s, aggregates: { n: count } }'];
    write('idle-table', [...base, ...window, 'sinks: [{ connection: pg, table: t }]']);
    assert.equal(loadStreamingPipeline(root, 'idle-table').settings.window?.idle_timeout, 30_000);
    write('idle-broker', [...base, ...window, 'sinks:', '  - { connection: pg, table: t }', '  - { type: redis_streams, stream: out }']);
    assert.throws(() => loadStreamingPipeline(root, 'idle-broker'), located(/idle_timeout closes windows without a batch/, 6));
  });

  it('reads RabbitMQ and MQTT sources with their defaults, and refuses what they cannot do', () => {
    write('rabbit', ['kind: streaming', 'source: { type: rabbitmq, queue: orders, exchange: shop, binding_key: orders.# }', 'sinks: [{ connection: pg, table: t }]']);
    assert.deepEqual(loadStreamingPipeline(root, 'rabbit').settings.source, { type: 'rabbitmq', url: 'amqp://guest:guest@127.0.0.1:5672', queue: 'orders', declare: true, exchange: 'shop', binding_key: 'orders.#' });
    write('mqtt', ['kind: streaming', 'source: { type: mqtt, topic: plant/+/readings, id_field: event }', 'sinks: [{ connection: pg, table: t, mode: upsert, key: device, sequence: seq }]']);
    const mqtt = loadStreamingPipeline(root, 'mqtt').settings;
    assert.deepEqual(mqtt.source, { type: 'mqtt', url: 'mqtt://127.0.0.1:1883', topic: 'plant/+/readings', id_field: 'event', session_expiry: 7 * 86_400_000 });
    assert.equal((mqtt.sinks[0] as TableSinkFile).sequence, 'seq');
    write('unbound', ['kind: streaming', 'source: { type: rabbitmq, queue: orders, binding_key: orders.# }', 'sinks: [{ connection: pg, table: t }]']);
    assert.throws(() => loadStreamingPipeline(root, 'unbound'), located(/binding_key needs an exchange/, 2));
    write('noid', ['kind: streaming', 'source: { type: mqtt, topic: plant/readings }', 'sinks: [{ connection: pg, table: t }]']);
    assert.throws(() => loadStreamingPipeline(root, 'noid'), /id_field/);
    write('appendseq', [...base, 'sinks:', '  - { connection: pg, table: t, sequence: seq }']);
    assert.throws(() => loadStreamingPipeline(root, 'appendseq'), located(/sequence orders the rows of an upsert sink/, 4));
  });

  it('names a transformer file that is missing, and the line it is on', () => {
    write('missing', [...base, 'transformers:', '  - { name: gone, file: transforms/gone.ts }', 'sinks: [{ connection: pg, table: t }]']);
    assert.throws(() => loadStreamingPipeline(root, 'missing'), located(/transformer 'gone': file transforms\/gone.ts does not exist/, 4));
  });

  it('sends a streaming file given to the batch loader to the stream command', () => {
    write('live', [...base, 'sinks: [{ connection: pg, table: t }]']);
    assert.throws(() => loadPipeline(root, 'live'), /'live' is a streaming pipeline; run it with 'sluice stream run live'/);
  });
});
