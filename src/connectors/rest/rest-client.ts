import { setTimeout as sleep } from 'node:timers/promises';
import { ConnectorError, SluiceError } from '../../core/errors.ts';
import type { Logger } from '../../core/run/logger.ts';
import { mask } from '../../core/project/secrets.ts';
import { linkSignals, type LinkedSignal } from '../../core/signals/linked-signal.ts';
import type { AddressCheck } from './rest-address-guard.ts';
import type { AppliedAuth } from './rest-auth.ts';
import type { RateLimiter } from './rest-rate-limiter.ts';
import { describeUrl } from './rest-url.ts';

/** A response whose body has been read. */
export interface RestResponse {
  /** The URL that answered, after redirects. */
  readonly url: URL;
  readonly status: number;
  readonly headers: Headers;
  readonly body: string;
}

export interface RestClientOptions {
  /** The connection's name, for messages. */
  readonly connection: string;
  readonly baseUrl: URL;
  readonly headers: Readonly<Record<string, string>>;
  readonly auth: AppliedAuth;
  readonly timeoutMs: number;
  readonly retries: number;
  readonly limiter: RateLimiter;
  readonly checkAddress: AddressCheck;
  /** First backoff delay; doubled on each retry. */
  readonly backoffMs?: number;
}

export interface RestClient {
  /** GETs a URL: rate-limited, address-checked, retried on 429, 5xx and network errors. `page` is for messages. */
  get(url: URL, page: number, signal: AbortSignal, logger: Logger): Promise<RestResponse>;
  /** A URL as messages show it, secrets masked. */
  describe(url: URL): string;
}

const maxRedirects = 5;
/** A Retry-After longer than this fails the request (retryable by the run) rather than holding the block. */
const maxRetryAfterMs = 5 * 60_000;

export function createRestClient(options: RestClientOptions): RestClient {
  const describe = (url: URL): string => describeUrl(url, options.auth.secrets);
  const backoff = options.backoffMs ?? 500;

  /** Headers and URL for one hop; credentials only go to the connection's own origin. */
  function prepare(url: URL): { url: URL; headers: Record<string, string> } {
    const own = url.origin === options.baseUrl.origin;
    const headers: Record<string, string> = { accept: 'application/json, application/xml;q=0.9, text/xml;q=0.9, */*;q=0.1', ...lower(options.headers) };
    if (!own) return { url, headers };
    const withQuery = new URL(url);
    for (const [key, value] of Object.entries(options.auth.query)) if (!withQuery.searchParams.has(key)) withQuery.searchParams.set(key, value);
    return { url: withQuery, headers: { ...headers, ...options.auth.headers } };
  }

  /** One attempt, following redirects by hand so every hop passes the address check. */
  async function attempt(url: URL, signal: AbortSignal): Promise<Response & { finalUrl: URL }> {
    let current = url;
    for (let hop = 0; ; hop++) {
      await options.checkAddress(current.hostname, signal);
      const request = prepare(current);
      const response = await fetch(request.url, { headers: request.headers, redirect: 'manual', signal });
      const location = response.headers.get('location');
      if (response.status < 300 || response.status > 399 || !location) return Object.assign(response, { finalUrl: current });
      await response.body?.cancel();
      if (hop === maxRedirects) throw new ConnectorError('rest.too_many_redirects', `${describe(url)} redirected more than ${maxRedirects} times`);
      const next = new URL(location, current);
      if (!/^https?:$/.test(next.protocol)) throw new ConnectorError('rest.bad_redirect', `${describe(url)} redirected to a ${next.protocol} URL`);
      current = next;
    }
  }

  async function get(url: URL, page: number, outer: AbortSignal, logger: Logger): Promise<RestResponse> {
    const what = `GET ${describe(url)} (page ${page})`;
    for (let tries = 0; ; tries++) {
      const last = tries >= options.retries;
      let delay: number;
      let failure: string;
      let cause: unknown;
      let deadline: LinkedSignal | undefined;
      try {
        await options.limiter.wait(outer);
        deadline = linkSignals([outer], options.timeoutMs);
        const response = await attempt(url, deadline.signal);
        if (response.ok) {
          const body = await response.text();
          return { url: response.finalUrl, status: response.status, headers: response.headers, body };
        }
        const text = await response.text().catch(() => '');
        if (response.status === 401 || response.status === 403) {
          throw new ConnectorError(
            'rest.auth_refused',
            `connection '${options.connection}' was refused (${response.status} ${response.statusText}) for ${what}: check its credentials (auth) and their permissions`,
          );
        }
        failure = `${response.status} ${response.statusText}${snippet(text)}`;
        if (response.status !== 429 && response.status < 500) {
          throw new ConnectorError('rest.http_error', `connection '${options.connection}': ${what} failed: ${failure}`);
        }
        const wait = retryAfter(response.headers.get('retry-after'));
        if (wait !== undefined && wait > maxRetryAfterMs) {
          throw new ConnectorError('rest.http_error', `connection '${options.connection}': ${what} failed: ${failure}; the server asks to wait ${Math.ceil(wait / 1000)}s before retrying`, { retryable: true });
        }
        delay = wait ?? backoffDelay(backoff, tries);
      } catch (error) {
        if (outer.aborted) throw new ConnectorError('rest.cancelled', `${what} was cancelled`, { cause: outer.reason });
        if (error instanceof SluiceError) {
          if (!error.retryable || error.code === 'rest.http_error') throw error;
        }
        cause = error;
        failure = networkFailure(error, options.timeoutMs);
        delay = backoffDelay(backoff, tries);
      } finally {
        deadline?.dispose();
      }
      if (last) {
        throw new ConnectorError('rest.request_failed', mask(`connection '${options.connection}': ${what} failed after ${tries + 1} attempt(s): ${failure}`), { cause, retryable: true });
      }
      logger.warn(mask(`${what}: ${failure}; retrying in ${(delay / 1000).toFixed(1)}s (retry ${tries + 1} of ${options.retries})`));
      try {
        await sleep(delay, undefined, { signal: outer });
      } catch {
        throw new ConnectorError('rest.cancelled', `${what} was cancelled`, { cause: outer.reason });
      }
    }
  }

  return { get, describe };
}

function lower(headers: Readonly<Record<string, string>>): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));
}

/** Exponential, with jitter so that many clients do not retry in step. */
function backoffDelay(base: number, tries: number): number {
  const full = Math.min(base * 2 ** tries, 30_000);
  return full / 2 + Math.random() * (full / 2);
}

/** `Retry-After` in seconds or as an HTTP date, in milliseconds from now. */
export function retryAfter(value: string | null, now = Date.now()): number | undefined {
  if (!value) return undefined;
  const text = value.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  const at = Date.parse(text);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

function networkFailure(error: unknown, timeoutMs: number): string {
  if (error instanceof SluiceError) return error.message;
  const e = error as { name?: string; message?: string; cause?: { code?: string; message?: string } };
  if (e?.name === 'TimeoutError') return `no answer within ${timeoutMs}ms (timeout)`;
  const detail = e?.cause?.code ?? e?.cause?.message;
  return `${e?.message ?? String(error)}${detail ? ` (${detail})` : ''}`;
}

/** The start of an error body, which often says what went wrong; masked, on one line. */
function snippet(body: string): string {
  const text = mask(body.replace(/\s+/g, ' ').trim());
  if (!text) return '';
  return `: ${text.length > 200 ? `${text.slice(0, 200)}...` : text}`;
}
