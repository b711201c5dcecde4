import type { WebhookChannel } from '../../core/pipeline/alert-schema.ts';
import { describeUrl, type AlertSender } from './alert-sender.ts';
import { postJson } from './post-json.ts';

/**
 * A generic JSON POST: the event's fields as they are, plus `title` and
 * `text` (the plain-text message), e.g.
 * `{ "kind": "failure", "pipeline": "daily_sales", "runId": "...", "failedBlock": "clean_sales",
 *    "error": { "code": "...", "message": "...", "location": { "file": "...", "line": 12 } },
 *    "runUrl": "...", "title": "...", "text": "..." }`.
 */
export const webhookSender: AlertSender<WebhookChannel> = {
  describe: (channel) => `webhook ${describeUrl(channel.url)}`,
  async send(channel, event, message, context) {
    await postJson(channel.url, { ...event, title: message.title, text: message.text }, context);
  },
};
