/** The part of s3rver (an S3 API served in-process, for tests) that the tests use; it ships no types. */
declare module 's3rver' {
  import type { AddressInfo } from 'node:net';

  interface S3rverOptions {
    readonly port?: number;
    readonly address?: string;
    readonly silent?: boolean;
    readonly directory?: string;
    readonly resetOnClose?: boolean;
    readonly configureBuckets?: readonly { readonly name: string }[];
    /** A request to BUCKET.s3.SERVICE_ENDPOINT is the bucket's (virtual-host addressing); `amazonaws.com` by default. */
    readonly serviceEndpoint?: string;
  }

  export default class S3rver {
    constructor(options?: S3rverOptions);
    run(): Promise<AddressInfo>;
    close(): Promise<void>;
  }
}
