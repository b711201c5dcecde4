import { Hono, type Context } from 'hono';
import { existsSync } from 'node:fs';
import { pipelinePath } from '../../core/pipeline/load-pipeline.ts';
import { IngestBodyError, IngestRefusal, isServedOverHttp, isStreamingFile, loadStreamingPipeline, splitIngestBody, type IngestEndpoint, type RejectedRecord } from '../../streaming/index.ts';
import type { AppDependencies } from '../app-context.ts';
import { noteAudit } from '../audit/audit-trail.ts';
import { problem } from '../http-problem.ts';
import { answer } from '../route-answer.ts';

/** `POST /api/ingest/:pipeline` answers this when its records are committed (200), some refused (207) or all refused (422). */
export interface IngestAnswer {
  /** Records committed now, or committed by an earlier request with the same Idempotency-Key. */
  readonly accepted: number;
  /** Records the pipeline refused, each with its index in the request (from 0), its line for a line-based body, and why. */
  readonly rejected: readonly RejectedRecord[];
  /** The request's Idempotency-Key, when it sent one. */
  readonly idempotency_key?: string;
}

/** Header names are printable ASCII without spaces; `~` starts the keys the server makes up, so no client key may. */
const keyPattern = /^[!-}][!-~]{0,199}$/;
const retryAfterSeconds = { busy: 1, notRunning: 5 } as const;

/**
 * Records POSTed into a streaming pipeline whose source is `http`. The
 * answer comes only after the records are committed to the sinks (2xx), and
 * an Idempotency-Key makes a repeated request land once. The body cap is the
 * source's `max_body`, checked here rather than by the API's 4 MB limit.
 */
export function ingestRoutes(deps: AppDependencies): Hono {
  const app = new Hono();

  app.post('/ingest/:pipeline', async (c) => {
    // Records are data, not a change to the project: a stream at thousands of requests a minute would drown the audit log.
    noteAudit(c, false);
    const name = c.req.param('pipeline');
    const endpoint = deps.ingest?.get(name);
    if (!endpoint) return notRunning(c, deps, name);

    const key = c.req.header('idempotency-key');
    if (key !== undefined && !keyPattern.test(key)) {
      return problem(c, 400, 'ingest.bad_key', 'the Idempotency-Key header is 1 to 200 printable ASCII characters without spaces, not starting with ~ (a UUID is a good one)');
    }
    const body = await readBody(c, endpoint);
    if (body instanceof Response) return body;
    let records;
    try {
      records = splitIngestBody(body, endpoint.payload.format, c.req.header('content-type'));
    } catch (error) {
      if (error instanceof IngestBodyError) return problem(c, 400, 'ingest.bad_body', error.message);
      throw error;
    }

    let outcome;
    try {
      outcome = await endpoint.submit(records, key);
    } catch (error) {
      if (!(error instanceof IngestRefusal)) throw error;
      if (error.reason === 'busy') {
        c.header('Retry-After', String(retryAfterSeconds.busy));
        return problem(c, 429, 'ingest.busy', error.message);
      }
      if (error.reason === 'key_in_use') {
        c.header('Retry-After', String(retryAfterSeconds.busy));
        return problem(c, 409, 'ingest.key_in_use', error.message);
      }
      return problem(c, 413, 'ingest.too_many_records', error.message);
    }
    switch (outcome.kind) {
      case 'stopped':
        c.header('Retry-After', String(retryAfterSeconds.notRunning));
        return problem(c, 503, 'ingest.stopped', `pipeline ${name} stopped before committing these records; ${repeatAdvice(key)}`);
      case 'timeout':
        c.header('Retry-After', String(retryAfterSeconds.busy));
        return problem(c, 503, 'ingest.not_committed_yet', `the records were not committed within ${Math.round(outcome.waitedMs / 1000)} s (the sink may be slow or down); they may still land: ${repeatAdvice(key)}`);
      case 'committed': {
        const result: IngestAnswer = { accepted: outcome.accepted, rejected: outcome.rejected, ...(key === undefined ? {} : { idempotency_key: key }) };
        if (!outcome.rejected.length) return answer(c, 'POST /api/ingest/:pipeline', result, 200);
        if (outcome.accepted) return answer(c, 'POST /api/ingest/:pipeline', result, 207);
        const first = outcome.rejected[0]!;
        return c.json({ ...result, error: { code: 'ingest.bad_records', message: `every record was refused; record ${first.index}${first.line === undefined ? '' : ` (line ${first.line})`}: ${first.reason}` } }, 422);
      }
    }
  });

  return app;
}

function repeatAdvice(key: string | undefined): string {
  return key === undefined ? 'repeat the request (send an Idempotency-Key so a repeat can never land twice)' : `repeat the request with the same Idempotency-Key; it lands once`;
}

/** 404 for a name that is no streaming pipeline with an http source, 503 for one not running in this process (yet). */
function notRunning(c: Context, deps: AppDependencies, name: string): Response {
  let httpSource = false;
  try {
    const file = pipelinePath(deps.root, name);
    httpSource = existsSync(file) && isStreamingFile(file) && isServedOverHttp(loadStreamingPipeline(deps.root, name).settings.source);
  } catch {
    // A bad name or a broken file: no endpoint to speak of.
  }
  if (!httpSource) return problem(c, 404, 'ingest.not_found', `no streaming pipeline '${name}' with an http source in this project`);
  c.header('Retry-After', String(retryAfterSeconds.notRunning));
  return problem(c, 503, 'ingest.not_running', `pipeline ${name} is not running in this server: it is starting, failing (see sluice stream status), run by another server holding its lease, or this server runs no streams (--no-scheduler)`);
}

/** The body, read up to the endpoint's cap; a larger one is refused with 413 before or while it is read. */
async function readBody(c: Context, endpoint: IngestEndpoint): Promise<Uint8Array | Response> {
  const tooLarge = () => problem(c, 413, 'ingest.body_too_large', `the request body is larger than this pipeline's max_body (${endpoint.maxBody} bytes); send fewer records per request`);
  const declared = Number(c.req.header('content-length'));
  if (Number.isFinite(declared) && declared > endpoint.maxBody) return tooLarge();
  const reader = c.req.raw.body?.getReader();
  if (!reader) return new Uint8Array();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > endpoint.maxBody) {
      await reader.cancel().catch(() => undefined);
      return tooLarge();
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks);
}
