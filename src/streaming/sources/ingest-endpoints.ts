import type { PayloadSettings } from '../../core/pipeline/streaming-schema.ts';

/** One record of a POSTed body, with the line it came from when the body is line-based. */
export interface IngestRecord {
  readonly payload: Uint8Array;
  readonly line?: number | undefined;
}

/** A record the pipeline refused: its index in the request (from 0), its line, and why (naming the column). */
export interface RejectedRecord {
  readonly index: number;
  readonly line?: number | undefined;
  readonly reason: string;
}

/** How a request ended: its records committed (some maybe refused), or not answered in time, or the stream stopped first. */
export type IngestOutcome =
  | { readonly kind: 'committed'; readonly accepted: number; readonly rejected: readonly RejectedRecord[] }
  | { readonly kind: 'timeout'; readonly waitedMs: number }
  | { readonly kind: 'stopped' };

/** Why a request was not taken at all: the endpoint is full (`busy`), the key is in flight (`key_in_use`), or the request is too large. */
export class IngestRefusal extends Error {
  constructor(
    readonly reason: 'busy' | 'key_in_use' | 'too_many_records',
    message: string,
  ) {
    super(message);
  }
}

/** What the HTTP route sees of a running stream with an `http` source. */
export interface IngestEndpoint {
  readonly payload: PayloadSettings;
  /** The largest body taken, in bytes. */
  readonly maxBody: number;
  /**
   * Hands the request's records to the stream and resolves once every one
   * is committed (or refused), or after the source's `wait`. Throws an
   * IngestRefusal when the request cannot be taken now.
   */
  submit(records: readonly IngestRecord[], idempotencyKey: string | undefined): Promise<IngestOutcome>;
}

/**
 * The HTTP sources running in this process, by pipeline. `sluice serve`
 * creates one and hands it both to its streams (whose http sources register
 * here while they run) and to the ingest route (which looks them up).
 */
export class IngestEndpoints {
  private readonly endpoints = new Map<string, IngestEndpoint>();

  register(pipeline: string, endpoint: IngestEndpoint): void {
    this.endpoints.set(pipeline, endpoint);
  }

  /** Removes the endpoint, unless another run of the pipeline has registered since. */
  unregister(pipeline: string, endpoint: IngestEndpoint): void {
    if (this.endpoints.get(pipeline) === endpoint) this.endpoints.delete(pipeline);
  }

  get(pipeline: string): IngestEndpoint | undefined {
    return this.endpoints.get(pipeline);
  }
}
