import { createRequire } from 'node:module';
import type { XMLParser } from 'fast-xml-parser';
import { SluiceError } from '../errors.ts';
import type { FileSlice } from './s3-file-body.ts';

/** An object in a bucket; locations name it `s3://bucket/key`. */
export interface S3Object {
  readonly bucket: string;
  readonly key: string;
}

/** What a request asks: the object (or bucket, without a key), the query, and how the answer must look. */
export interface S3Request {
  readonly method: 'GET' | 'HEAD' | 'PUT' | 'POST' | 'DELETE';
  readonly bucket: string;
  readonly key?: string | undefined;
  readonly query?: Readonly<Record<string, string>> | undefined;
  /** XML, or a slice of a file (streamed from disk). */
  readonly body?: string | FileSlice | undefined;
  /** Statuses that are an answer, not an error (2xx always are). */
  readonly accept?: readonly number[] | undefined;
}

/** Sends one signed request; any other answer than a 2xx or an accepted status is an error naming the bucket, key and status. */
export type SendS3 = (request: S3Request) => Promise<Response>;

let parser: XMLParser | undefined;

/**
 * S3 answers in XML; keys and ids stay strings, however numeric they look. The
 * parser loads on the first answer: every run builds its output store, and only
 * a project that keeps its outputs in S3 needs it.
 */
export const xml = {
  parse(text: string): unknown {
    parser ??= new (createRequire(import.meta.url)('fast-xml-parser') as typeof import('fast-xml-parser')).XMLParser({ parseTagValue: false, ignoreAttributes: true });
    return parser.parse(text);
  },
};

/** `s3://bucket/key`: how locations name objects, in messages as in the run store. */
export function s3Url({ bucket, key }: { bucket: string; key?: string | undefined }): string {
  return `s3://${bucket}/${key ?? ''}`;
}

export function missingObject(object: S3Object): SluiceError {
  return new SluiceError('outputs.missing', `no stored output at ${s3Url(object)} (HTTP 404): it was removed, or never kept`);
}
