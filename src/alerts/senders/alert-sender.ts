import type { AlertEvent, AlertMessage } from '../alert-event.ts';
import type { AlertChannel } from '../../core/pipeline/alert-schema.ts';

export interface SendContext {
  /** Aborts this attempt: the caller's signal combined with the attempt's timeout. */
  readonly signal: AbortSignal;
  /** The attempt's time limit, for messages and for clients that take their own timeouts. */
  readonly timeoutMs: number;
  /** The channel as named in results and errors, without its secret parts. */
  readonly label: string;
}

/**
 * One kind of alert channel. `send` throws a SluiceError whose `retryable`
 * says whether another attempt can help; adding a channel adds a sender.
 */
export interface AlertSender<C extends AlertChannel> {
  /** Names the channel without secrets, e.g. "webhook https://alerts.example.com". */
  describe(channel: C): string;
  send(channel: C, event: AlertEvent, message: AlertMessage, context: SendContext): Promise<void>;
}

/** The origin of a URL as written, or its `${NAME}` references when it has no readable origin. */
export function describeUrl(url: string): string {
  if (URL.canParse(url)) {
    const { origin } = new URL(url);
    if (origin !== 'null') return origin;
  }
  return url.match(/\$\{[^}]*\}/g)?.join('') ?? 'an invalid URL';
}
