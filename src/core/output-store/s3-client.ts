import { createWriteStream, statSync } from 'node:fs';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { AwsClient } from 'aws4fetch';
import { SluiceError } from '../errors.ts';
import { mask } from '../project/secrets.ts';
import { sendFileSlice } from './s3-file-body.ts';
import { uploadInParts } from './s3-multipart.ts';
import { missingObject, s3Url, xml, type S3Object, type S3Request, type SendS3 } from './s3-request.ts';

/** Where an S3-compatible service is and who signs the requests. */
export interface S3ConnectionSettings {
  /** Without one, AWS itself: `https://s3.<region>.amazonaws.com`. */
  readonly endpoint?: string | undefined;
  readonly region: string;
  /** `endpoint/bucket/key` rather than `bucket.endpoint/key`: MinIO and most other S3-compatible servers want it. */
  readonly forcePathStyle: boolean;
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string | undefined;
  /** Files larger than this go up in parts of this size (S3 takes at most 5 GB in one PUT). */
  readonly partSize: number;
}

/** The few S3 calls an output store makes, each failing with an error that names the bucket, key and HTTP status. */
export interface S3Client {
  /** The object's ETag, or undefined when there is no such object. */
  head(object: S3Object): Promise<string | undefined>;
  /** Writes the object to `file` (streamed, never whole in memory) and returns its ETag. */
  download(object: S3Object, file: string): Promise<string>;
  /** Uploads `file` (in parts when large) and returns the object's ETag. */
  upload(object: S3Object, file: string): Promise<string>;
  /** Every key under `prefix`, a page of up to 1,000 at a time. */
  list(bucket: string, prefix: string): AsyncIterable<string>;
  /** Removes an object; removing one that is not there is no error. */
  remove(object: S3Object): Promise<void>;
}

export function createS3Client(settings: S3ConnectionSettings): S3Client {
  const aws = new AwsClient({
    accessKeyId: settings.accessKeyId,
    secretAccessKey: settings.secretAccessKey,
    ...(settings.sessionToken ? { sessionToken: settings.sessionToken } : {}),
    service: 's3',
    region: settings.region,
    // Retried below, where a file's body is read again for each attempt.
    retries: 0,
  });
  const endpoint = new URL(settings.endpoint ?? `https://s3.${settings.region}.amazonaws.com`);

  function urlOf({ bucket, key, query }: S3Request): string {
    const base = endpoint.pathname.replace(/\/$/, '');
    const keyPath = key === undefined ? '/' : `/${key.split('/').map(encodeSegment).join('/')}`;
    const url = settings.forcePathStyle
      ? new URL(`${endpoint.origin}${base}/${bucket}${key === undefined ? '' : keyPath}`)
      : new URL(`${endpoint.protocol}//${bucket}.${endpoint.host}${base}${keyPath}`);
    for (const [name, value] of Object.entries(query ?? {})) url.searchParams.set(name, value);
    return url.toString();
  }

  const send: SendS3 = async (request) => {
    const what = describe(request);
    let response: Response;
    for (let attempt = 1; ; attempt++) {
      try {
        const { body } = request;
        response =
          typeof body === 'object'
            ? await sendFileSlice(await aws.sign(urlOf(request), { method: request.method, headers: { 'content-length': String(body.size) } }), body)
            : await aws.fetch(urlOf(request), { method: request.method, ...(body !== undefined ? { body } : {}) });
      } catch (error) {
        if (attempt < attempts) {
          await sleep(retryDelayMs * 2 ** attempt);
          continue;
        }
        throw new SluiceError('outputs.s3_unreachable', mask(`cannot reach the object store at ${endpoint.origin} for ${what}: ${(error as Error).message}`), { cause: error, retryable: true });
      }
      if (attempt < attempts && (response.status >= 500 || response.status === 429)) {
        await response.body?.cancel();
        await sleep(retryDelayMs * 2 ** attempt);
        continue;
      }
      break;
    }
    if (response.ok || request.accept?.includes(response.status)) return response;
    const detail = await errorDetail(response);
    throw new SluiceError('outputs.s3_failed', mask(`${what} answered HTTP ${response.status}${detail ? ` (${detail})` : ''}`), {
      retryable: response.status >= 500 || response.status === 429,
    });
  };

  return {
    async head(object) {
      const response = await send({ method: 'HEAD', ...object, accept: [404] });
      return response.status === 404 ? undefined : (response.headers.get('etag') ?? '');
    },
    async download(object, file) {
      const response = await send({ method: 'GET', ...object, accept: [404] });
      if (response.status === 404) throw missingObject(object);
      await pipeline(Readable.fromWeb(response.body! as WebReadableStream<Uint8Array>), createWriteStream(file));
      return response.headers.get('etag') ?? '';
    },
    async upload(object, file) {
      const size = statSync(file).size;
      if (size <= settings.partSize) return (await send({ method: 'PUT', ...object, body: { file, start: 0, size } })).headers.get('etag') ?? '';
      return uploadInParts(send, object, { file, start: 0, size }, settings.partSize);
    },
    async *list(bucket, prefix) {
      let token: string | undefined;
      do {
        const query = { 'list-type': '2', prefix, ...(token ? { 'continuation-token': token } : {}) };
        const page = xml.parse(await (await send({ method: 'GET', bucket, query })).text()) as { ListBucketResult?: ListPage };
        const result = page.ListBucketResult ?? {};
        for (const entry of [result.Contents ?? []].flat()) yield entry.Key;
        token = result.IsTruncated === 'true' ? result.NextContinuationToken : undefined;
      } while (token);
    },
    async remove(object) {
      await send({ method: 'DELETE', ...object, accept: [404] });
    },
  };
}

interface ListPage {
  readonly Contents?: { Key: string } | { Key: string }[];
  readonly IsTruncated?: string;
  readonly NextContinuationToken?: string;
}

function describe({ method, bucket, key, query }: S3Request): string {
  const action = query && 'uploadId' in query ? (query.partNumber ? ` part ${query.partNumber}` : ' (multipart upload)') : '';
  return `${method} ${s3Url({ bucket, key })}${action}`;
}

/** S3's own words for an error (`AccessDenied: Access Denied`), when it sent any. */
async function errorDetail(response: Response): Promise<string> {
  const body = await response.text().catch(() => '');
  if (!body) return response.statusText;
  const parsed = xml.parse(body) as { Error?: { Code?: string; Message?: string } };
  const { Code, Message } = parsed.Error ?? {};
  return [Code, Message].filter(Boolean).join(': ') || response.statusText;
}

/** Attempts of a request that fails in a way a retry can help (no answer, 5xx, 429). */
const attempts = 3;
const retryDelayMs = 100;

/** RFC 3986, as SigV4 signs a path: encodeURIComponent leaves !'()* as they are. */
function encodeSegment(segment: string): string {
  return encodeURIComponent(segment).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}
