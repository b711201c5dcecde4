import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** An S3 API on a free local port, with one bucket, and the credentials it accepts. */
export interface S3TestServer {
  readonly endpoint: string;
  /**
   * The same server by a host name, `http://s3.localhost:PORT`, for virtual-host addressing: a
   * request to `BUCKET.s3.localhost` is the bucket's. Names under `localhost` resolve in a test
   * process through `resolveLocalhostNames()`.
   */
  readonly hostEndpoint: string;
  readonly bucket: string;
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  /** The folder s3rver keeps the objects in: a test hides it from processes that must reach them only over the API. */
  readonly directory: string;
  close(): Promise<void>;
}

/**
 * Starts s3rver in this process: a real S3 HTTP API (access keys checked,
 * though not SigV4 signatures; multipart uploads, ListObjectsV2) over a temporary folder, so object-store
 * code is tested against the protocol, not a mock. Path-style addressing at `endpoint`, and
 * virtual-host addressing (the bucket in the host name) at `hostEndpoint`.
 */
export async function startS3TestServer(bucket = 'sluice-outputs'): Promise<S3TestServer> {
  const { default: S3rver } = await import('s3rver');
  const directory = mkdtempSync(path.join(os.tmpdir(), 'sluice-s3-'));
  // s3rver takes the bucket from a host name BUCKET.s3.SERVICE_ENDPOINT, and from the path at an address.
  const server = new S3rver({ port: 0, address: '127.0.0.1', silent: true, directory, configureBuckets: [{ name: bucket }], serviceEndpoint: 'localhost' });
  const { port } = await server.run();
  return {
    endpoint: `http://127.0.0.1:${port}`,
    hostEndpoint: `http://s3.localhost:${port}`,
    bucket,
    // s3rver's one account.
    accessKeyId: 'S3RVER',
    secretAccessKey: 'S3RVER',
    directory,
    async close() {
      await server.close();
      rmSync(directory, { recursive: true, force: true });
    },
  };
}
