import { ConfigError, ConnectorError } from '../../core/errors.ts';
import { mask } from '../../core/project/secrets.ts';
import { isHttpUrl } from '../../core/pipeline/alert-schema.ts';
import type { SendContext } from './alert-sender.ts';

/** How much of a refusing receiver's answer to quote; enough for "invalid_payload" and the like. */
const quotedAnswerLength = 200;

/**
 * POSTs a JSON body and waits for a 2xx answer. A non-2xx answer throws
 * `alert.http_failed`, retryable for 5xx and 429; an unreachable or silent
 * receiver throws a retryable `alert.unreachable` or `alert.timeout`.
 * Messages name the channel by `context.label`, never by the full URL.
 */
export async function postJson(url: string, body: unknown, context: SendContext): Promise<void> {
  const { label, signal, timeoutMs } = context;
  if (!isHttpUrl(url)) throw new ConfigError('alert.invalid_url', `the URL of the alert to ${label} is not an http(s) URL`);
  let response: Response;
  try {
    response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json; charset=utf-8', 'user-agent': 'sluice-alerts' },
      body: JSON.stringify(body),
      signal,
    });
  } catch (cause) {
    throw failureToReach(label, cause, signal, timeoutMs);
  }
  if (response.ok) {
    // Read the answer so the connection can be reused; its content does not matter.
    await response.arrayBuffer().catch(() => undefined);
    return;
  }
  const answer = (await response.text().catch(() => '')).trim().slice(0, quotedAnswerLength);
  throw new ConnectorError(
    'alert.http_failed',
    mask(`alert to ${label} was refused: HTTP ${response.status}${answer ? `: ${answer}` : ''}`),
    { retryable: response.status >= 500 || response.status === 429 },
  );
}

export function failureToReach(label: string, cause: unknown, signal: AbortSignal, timeoutMs: number): ConnectorError {
  if (signal.aborted) {
    const timedOut = signal.reason instanceof DOMException && signal.reason.name === 'TimeoutError';
    return timedOut
      ? new ConnectorError('alert.timeout', `alert to ${label} got no answer within ${timeoutMs} ms`, { retryable: true })
      : new ConnectorError('alert.cancelled', `alert to ${label} was cancelled`, { retryable: false });
  }
  return new ConnectorError('alert.unreachable', mask(`alert to ${label} could not be delivered: ${describeCause(cause)}`), {
    retryable: true,
  });
}

/** fetch reports "fetch failed" and keeps the reason (ECONNREFUSED, ENOTFOUND...) in its cause. */
function describeCause(error: unknown): string {
  const inner = error instanceof Error && error.cause instanceof Error ? error.cause : error;
  if (inner instanceof Error) {
    const code = (inner as { code?: unknown }).code;
    return (typeof code === 'string' && !inner.message.includes(code) ? `${code} ${inner.message}` : inner.message).trim();
  }
  return String(inner);
}
