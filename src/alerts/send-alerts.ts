import { setTimeout as sleep } from 'node:timers/promises';
import { ConnectorError, toSluiceError, type SerializedError, type SluiceError } from '../core/errors.ts';
import { mask } from '../core/project/secrets.ts';
import { linkSignals } from '../core/signals/linked-signal.ts';
import { formatAlert, maskEvent, type AlertEvent, type AlertMessage } from './alert-event.ts';
import type { Alert, AlertChannel, AlertChannelKind } from '../core/pipeline/alert-schema.ts';
import { resolveAlertChannel } from './resolve-alert-channel.ts';
import type { AlertSender } from './senders/alert-sender.ts';
import { emailSender } from './senders/email.ts';
import { slackSender } from './senders/slack.ts';
import { webhookSender } from './senders/webhook.ts';

const senders: { readonly [K in AlertChannelKind]: AlertSender<Extract<AlertChannel, { kind: K }>> } = {
  webhook: webhookSender,
  slack: slackSender,
  email: emailSender,
};

// TypeScript cannot tie `senders[channel.kind]` to the channel's own type; the mapped type above does.
const senderFor = (channel: AlertChannel) => senders[channel.kind] as AlertSender<AlertChannel>;

/** Names a channel without its secrets, e.g. "slack https://hooks.slack.com" or "email ops@example.com". */
export function describeChannel(channel: AlertChannel): string {
  return mask(senderFor(channel).describe(channel));
}

export interface SendAlertsOptions {
  /** Cancels every attempt still under way and every retry not yet started. */
  readonly signal?: AbortSignal | undefined;
  /** Further attempts after a retryable failure. Default 2. */
  readonly retries?: number | undefined;
  /** Time limit of one attempt. Default 10 s. */
  readonly timeoutMs?: number | undefined;
  /** Wait before the first retry, doubled before each next one. Default 500 ms. */
  readonly backoffMs?: number | undefined;
  /** Where `${NAME}` references are read. Default `process.env`. */
  readonly env?: NodeJS.ProcessEnv | undefined;
}

export interface AlertResult {
  /** The channel without its secrets, e.g. "slack https://hooks.slack.com" or "email ops@example.com". */
  readonly channel: string;
  readonly kind: AlertChannelKind;
  readonly ok: boolean;
  readonly attempts: number;
  /** Why the alert was not delivered, secrets masked. */
  readonly error?: SerializedError | undefined;
}

/**
 * Sends `event` to every alert whose `on` lists its kind, in parallel,
 * retrying retryable failures. Never throws: a failed alert does not change
 * the run's outcome, it is reported in the result for the caller to log.
 * @example
 * const results = await sendAlerts(pipeline.alerts, event, { signal });
 * for (const r of results) if (!r.ok) log.warn(r.error?.message ?? `alert to ${r.channel} failed`);
 */
export async function sendAlerts(
  alerts: readonly Alert[],
  event: AlertEvent,
  options: SendAlertsOptions = {},
): Promise<AlertResult[]> {
  const wanted = alerts.filter((alert) => alert.on.includes(event.kind));
  if (!wanted.length) return [];
  let safeEvent: AlertEvent;
  let message: AlertMessage;
  try {
    safeEvent = maskEvent(event);
    message = formatAlert(safeEvent);
  } catch (error) {
    const failure = toSluiceError(error, 'alert.format_failed');
    return wanted.map((alert) => result(alert.channel, 0, failure));
  }
  return Promise.all(wanted.map((alert) => deliver(alert.channel, safeEvent, message, options)));
}

async function deliver(
  written: AlertChannel,
  event: AlertEvent,
  message: AlertMessage,
  options: SendAlertsOptions,
): Promise<AlertResult> {
  const { signal, retries = 2, timeoutMs = 10_000, backoffMs = 500, env = process.env } = options;
  let attempts = 0;
  try {
    const sender = senderFor(written);
    const label = mask(sender.describe(written));
    const channel = resolveAlertChannel(written, label, env);
    for (;;) {
      if (signal?.aborted) throw new ConnectorError('alert.cancelled', `alert to ${label} was cancelled`);
      attempts += 1;
      const deadline = linkSignals([signal], timeoutMs);
      try {
        await sender.send(channel, event, message, { signal: deadline.signal, timeoutMs, label });
        return { channel: label, kind: written.kind, ok: true, attempts };
      } catch (error) {
        const failure = toSluiceError(error, 'alert.failed');
        if (!failure.retryable || attempts > retries) throw failure;
        // A cancel ends the wait early; the next turn of the loop reports it.
        await sleep(backoffMs * 2 ** (attempts - 1), undefined, { signal }).catch(() => undefined);
      } finally {
        deadline.dispose();
      }
    }
  } catch (error) {
    return result(written, attempts, toSluiceError(error, 'alert.failed'));
  }
}

function result(channel: AlertChannel, attempts: number, failure: SluiceError): AlertResult {
  let label: string;
  try {
    label = mask(senderFor(channel).describe(channel));
  } catch {
    label = channel.kind;
  }
  const error = failure.toJSON();
  return { channel: label, kind: channel.kind, ok: false, attempts, error: { ...error, message: mask(error.message) } };
}
