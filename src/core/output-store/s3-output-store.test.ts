import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { SluiceError } from '../errors.ts';
import { registerSecret } from '../project/secrets.ts';
import { resolveLocalhostNames } from '../../testing/localhost-names.ts';
import { startS3TestServer, type S3TestServer } from '../../testing/s3-test-server.ts';
import { createS3Client, type S3Client, type S3ConnectionSettings } from './s3-client.ts';
import { describeOutputStoreContract } from './output-store-contract.ts';
import { createS3OutputStore } from './s3-output-store.ts';

function connection(server: S3TestServer, overrides: Partial<S3ConnectionSettings> = {}): S3ConnectionSettings {
  return { endpoint: server.endpoint, region: 'us-east-1', forcePathStyle: true, accessKeyId: server.accessKeyId, secretAccessKey: server.secretAccessKey, partSize: 64 * 2 ** 20, ...overrides };
}

describeOutputStoreContract('the S3 output store', async () => {
  const server = await startS3TestServer('contract-outputs');
  const cacheDir = mkdtempSync(path.join(os.tmpdir(), 'sluice-s3-cache-'));
  const outputs = createS3OutputStore({ bucket: server.bucket, prefix: 'team/outputs', client: () => createS3Client(connection(server)), cacheDir });
  return {
    outputs,
    async close() {
      await server.close();
      rmSync(cacheDir, { recursive: true, force: true });
    },
  };
});

describe('the S3 output store', () => {
  let server: S3TestServer;
  const cacheDir = mkdtempSync(path.join(os.tmpdir(), 'sluice-s3-cache-'));
  const scratch = mkdtempSync(path.join(os.tmpdir(), 'sluice-s3-scratch-'));
  before(async () => (server = await startS3TestServer('store-outputs')));
  after(async () => {
    await server?.close();
    rmSync(cacheDir, { recursive: true, force: true });
    rmSync(scratch, { recursive: true, force: true });
  });

  /** A client that counts what goes over the wire. */
  function counted(settings: S3ConnectionSettings): { client: S3Client; downloads: () => number } {
    const client = createS3Client(settings);
    let downloads = 0;
    return {
      client: { ...client, list: client.list, download: (object, file) => (downloads++, client.download(object, file)) },
      downloads: () => downloads,
    };
  }

  it('names objects s3://bucket/prefix/pipeline/run/block.parquet', () => {
    const outputs = createS3OutputStore({ bucket: 'b-1', prefix: '/team/outputs/', client: () => assert.fail('no request needed'), cacheDir });
    assert.equal(outputs.location({ pipeline: 'sales', runId: 'r1', block: 'clean' }), 's3://b-1/team/outputs/sales/r1/clean.parquet');
    assert.equal(outputs.location({ pipeline: 'sales', runId: 'r1' }), 's3://b-1/team/outputs/sales/r1/');
  });

  it('downloads an input once however often it is read, and not at all in the process that wrote it', async () => {
    const { client, downloads } = counted(connection(server));
    const writer = createS3OutputStore({ bucket: server.bucket, prefix: 'once', client: () => client, cacheDir: path.join(cacheDir, 'writer') });
    const location = writer.location({ pipeline: 'sales', runId: 'r1', block: 'clean' });
    const staged = writer.stagingPath(location, scratch);
    writeFileSync(staged, 'rows');
    await writer.write(location, staged);
    assert.equal(readFileSync(await writer.read(location), 'utf8'), 'rows');
    assert.equal(downloads(), 0, 'the writer keeps what it uploaded');

    const reader = createS3OutputStore({ bucket: server.bucket, prefix: 'once', client: () => client, cacheDir: path.join(cacheDir, 'reader') });
    const [first, second] = await Promise.all([reader.read(location), reader.read(location)]);
    assert.equal(first, second);
    assert.equal(readFileSync(await reader.read(location), 'utf8'), 'rows');
    assert.equal(downloads(), 1, 'two blocks reading one input at once, then a third read, download it once');
  });

  it('keeps its cache within its bound, pruning what no block reads, never an input in use', async () => {
    const { client, downloads } = counted(connection(server));
    const writer = createS3OutputStore({ bucket: server.bucket, prefix: 'bounded', client: () => client, cacheDir: path.join(cacheDir, 'bounded-writer') });
    const locations = ['a', 'b', 'c'].map((block) => writer.location({ pipeline: 'sales', runId: 'r1', block }));
    for (const location of locations) {
      const staged = writer.stagingPath(location, scratch);
      writeFileSync(staged, Buffer.alloc(1000));
      await writer.write(location, staged);
    }
    // Room for two outputs of 1,000 bytes.
    const reader = createS3OutputStore({ bucket: server.bucket, prefix: 'bounded', client: () => client, cacheDir: path.join(cacheDir, 'bounded-reader'), cacheMaxBytes: 2500 });
    const before = downloads();
    const a = await reader.read(locations[0]!);
    const b = await reader.read(locations[1]!);
    reader.release(b);
    await reader.read(locations[2]!); // a third copy: the bound is passed, and b, not in use, goes
    assert.equal(existsSync(a), true, 'an input still in use stays');
    assert.equal(existsSync(b), false);
    reader.release(a);
    assert.equal(readFileSync(await reader.read(locations[0]!)).length, 1000);
    assert.equal(downloads() - before, 3, 'a kept copy is read without a download');
    assert.equal(readFileSync(await reader.read(locations[1]!)).length, 1000, 'a pruned copy is downloaded again');
    assert.equal(downloads() - before, 4);
  });

  it('puts the bucket in the host name unless force_path_style, and reaches the same objects either way', async () => {
    const names = resolveLocalhostNames();
    try {
      const virtual = createS3Client(connection(server, { endpoint: server.hostEndpoint, forcePathStyle: false }));
      const byPath = createS3Client(connection(server, { endpoint: server.hostEndpoint, forcePathStyle: true }));
      const outputs = createS3OutputStore({ bucket: server.bucket, prefix: 'vhost', client: () => virtual, cacheDir: path.join(cacheDir, 'vhost') });
      const location = outputs.location({ pipeline: 'sales', runId: 'r1', block: 'clean' });
      const staged = outputs.stagingPath(location, scratch);
      writeFileSync(staged, 'rows by host');
      await outputs.write(location, staged);
      assert.ok(await outputs.exists(location));
      assert.deepEqual(names.asked, names.asked.map(() => 'store-outputs.s3.localhost'), 'every request went to the bucket\'s own host name');
      assert.ok(names.asked.length >= 2);
      // The object is where path-style addressing finds it: the server took the bucket from the host name.
      const fetched = path.join(scratch, 'vhost-by-path.parquet');
      await byPath.download({ bucket: server.bucket, key: 'vhost/sales/r1/clean.parquet' }, fetched);
      assert.equal(readFileSync(fetched, 'utf8'), 'rows by host');
      assert.equal(names.asked.at(-1), 's3.localhost', 'path style asks for the endpoint\'s own host');
      const reader = createS3OutputStore({ bucket: server.bucket, prefix: 'vhost', client: () => virtual, cacheDir: path.join(cacheDir, 'vhost-reader') });
      assert.equal(readFileSync(await reader.read(location), 'utf8'), 'rows by host');
      const listed: string[] = [];
      for await (const key of virtual.list(server.bucket, 'vhost/')) listed.push(key);
      assert.deepEqual(listed, ['vhost/sales/r1/clean.parquet']);
      await outputs.delete(outputs.location({ pipeline: 'sales', runId: 'r1' }));
      assert.equal(await virtual.head({ bucket: server.bucket, key: 'vhost/sales/r1/clean.parquet' }), undefined);
    } finally {
      names.restore();
    }
  });

  it('uploads a file larger than a part in parts, and reads it back whole', async () => {
    const partSize = 5 * 2 ** 20;
    const outputs = createS3OutputStore({ bucket: server.bucket, prefix: 'parts', client: () => createS3Client(connection(server, { partSize })), cacheDir: path.join(cacheDir, 'parts') });
    const location = outputs.location({ pipeline: 'big', runId: 'r1', block: 'wide' });
    const bytes = randomBytes(partSize * 2 + 12_345);
    const staged = outputs.stagingPath(location, scratch);
    writeFileSync(staged, bytes);
    // What goes over the wire: file bodies through node:http, the rest through fetch.
    const sent: string[] = [];
    const [fetch, request] = [globalThis.fetch, http.request];
    globalThis.fetch = (input, init) => (sent.push(`${(input as Request).method} ${(input as Request).url}`), fetch(input, init));
    http.request = ((url: URL, options: http.RequestOptions, callback: (response: http.IncomingMessage) => void) => (sent.push(`${options.method} ${url}`), request(url, options, callback))) as typeof http.request;
    try {
      await outputs.write(location, staged);
    } finally {
      globalThis.fetch = fetch;
      http.request = request;
    }
    assert.equal(sent.filter((line) => /^PUT .*partNumber=/.test(line)).length, 3, sent.join('\n'));
    assert.equal(sent.filter((line) => /^POST .*uploadId=/.test(line)).length, 1, 'the upload is completed once');
    const fresh = createS3OutputStore({ bucket: server.bucket, prefix: 'parts', client: () => createS3Client(connection(server)), cacheDir: path.join(cacheDir, 'parts-reader') });
    assert.deepEqual(readFileSync(await fresh.read(location)), bytes);
  });

  it('names the bucket, key and HTTP status when the service refuses, and never the secret', async () => {
    // s3rver checks the access key (not the SigV4 signature): an unknown one is refused with 403.
    const [keyId, secret] = ['UNKNOWNKEY0123456789', 'not-the-right-secret-0123456789'];
    for (const value of [keyId, secret]) registerSecret(value);
    const outputs = createS3OutputStore({ bucket: server.bucket, prefix: 'refused', client: () => createS3Client(connection(server, { accessKeyId: keyId, secretAccessKey: secret })), cacheDir });
    const location = outputs.location({ pipeline: 'sales', runId: 'r1', block: 'clean' });
    const staged = path.join(scratch, 'refused.parquet');
    writeFileSync(staged, 'rows');
    await assert.rejects(outputs.write(location, staged), (error: unknown) => {
      assert.ok(error instanceof SluiceError);
      assert.equal(error.code, 'outputs.s3_failed');
      assert.match(error.message, /PUT s3:\/\/store-outputs\/refused\/sales\/r1\/clean\.parquet answered HTTP 403/);
      assert.match(error.message, /InvalidAccessKeyId/);
      for (const value of [keyId, secret]) assert.ok(!error.message.includes(value) && !String(error.stack).includes(value));
      return true;
    });
  });

  it('says which endpoint it could not reach', async () => {
    const outputs = createS3OutputStore({ bucket: 'nowhere', prefix: '', client: () => createS3Client(connection(server, { endpoint: 'http://127.0.0.1:9' })), cacheDir });
    await assert.rejects(outputs.exists('s3://nowhere/a.parquet'), (error: unknown) => {
      assert.ok(error instanceof SluiceError);
      assert.equal(error.code, 'outputs.s3_unreachable');
      assert.equal(error.retryable, true);
      assert.match(error.message, /127\.0\.0\.1:9 for HEAD s3:\/\/nowhere\/a\.parquet/);
      return true;
    });
  });
});
