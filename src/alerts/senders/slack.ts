import { registerSecret } from '../../core/project/secrets.ts';
import {
  describeErrorLocation,
  describeOutcome,
  formatDuration,
  type AlertEvent,
  type AlertMessage,
} from '../alert-event.ts';
import type { SlackChannel } from '../../core/pipeline/alert-schema.ts';
import { describeUrl, type AlertSender } from './alert-sender.ts';
import { postJson } from './post-json.ts';

/** Slack's limits: 150 characters for a header, 3,000 for a section's text. */
const headerLimit = 150;
const errorLimit = 2500;

/**
 * A Slack-compatible incoming webhook (Slack, Mattermost, Rocket.Chat...):
 * `{ text, blocks }` in Block Kit, user text escaped for mrkdwn. The URL's
 * path is the credential, so it is registered as a secret before use.
 */
export const slackSender: AlertSender<SlackChannel> = {
  describe: (channel) => `slack ${describeUrl(channel.url)}`,
  async send(channel, event, message, context) {
    registerSecret(channel.url);
    if (URL.canParse(channel.url)) registerSecret(new URL(channel.url).pathname);
    await postJson(channel.url, formatSlackMessage(event, message), context);
  },
};

interface SlackText {
  readonly type: 'mrkdwn' | 'plain_text';
  readonly text: string;
}

type SlackBlock =
  | { readonly type: 'header'; readonly text: SlackText }
  | { readonly type: 'section'; readonly text?: SlackText; readonly fields?: readonly SlackText[] };

export interface SlackMessage {
  /** The notification text, and what clients without Block Kit show. */
  readonly text: string;
  readonly blocks: readonly SlackBlock[];
}

/** The body Slack's incoming webhooks take. `message` is the event's plain-text form. */
export function formatSlackMessage(event: AlertEvent, message: AlertMessage): SlackMessage {
  if (event.test) {
    return { text: escapeMrkdwn(message.text), blocks: [{ type: 'header', text: { type: 'plain_text', text: truncate(message.title, headerLimit) } }, { type: 'section', text: { type: 'mrkdwn', text: escapeMrkdwn(message.text) } }] };
  }
  const fields: SlackText[] = [
    field('Pipeline', escapeMrkdwn(event.pipeline)),
    field('Run', `\`${escapeMrkdwn(event.runId)}\` (${event.status})`),
  ];
  if (event.failedBlock) fields.push(field('Failed block', `\`${escapeMrkdwn(event.failedBlock)}\``));
  if (event.logicalDate) fields.push(field('Logical date', escapeMrkdwn(event.logicalDate)));
  if (event.durationMs !== undefined) fields.push(field('Duration', formatDuration(event.durationMs)));
  if (event.deadline) fields.push(field('Deadline', escapeMrkdwn(event.deadline)));

  const blocks: SlackBlock[] = [
    { type: 'header', text: { type: 'plain_text', text: truncate(message.title, headerLimit) } },
    { type: 'section', fields },
  ];
  if (event.error) {
    const where = describeErrorLocation(event.error.location);
    const heading = `*Error* \`${escapeMrkdwn(event.error.code)}\`${where ? ` at \`${escapeMrkdwn(where)}\`` : ''}`;
    const body = escapeMrkdwn(truncate(event.error.message, errorLimit)).replace(/```/g, "'''");
    blocks.push({ type: 'section', text: { type: 'mrkdwn', text: `${heading}\n\`\`\`${body}\`\`\`` } });
  }
  if (event.runUrl) blocks.push({ type: 'section', text: { type: 'mrkdwn', text: `<${linkTarget(event.runUrl)}|Open the run>` } });

  const summary = [
    `Pipeline ${event.pipeline} ${describeOutcome(event)}`,
    event.failedBlock && ` in block ${event.failedBlock}`,
    event.error && `: ${truncate(event.error.message, 200)}`,
  ];
  return { text: escapeMrkdwn(summary.filter(Boolean).join('')), blocks };
}

/** Slack reads &, < and > as markup; everything else in mrkdwn is shown as typed or as formatting. */
export function escapeMrkdwn(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

// Inside <url|label>, a | or > would end the link early.
const linkTarget = (url: string): string => url.replace(/[|<>]/g, (c) => encodeURIComponent(c));

const field = (name: string, value: string): SlackText => ({ type: 'mrkdwn', text: `*${name}*\n${value}` });

const truncate = (text: string, limit: number): string => (text.length > limit ? `${text.slice(0, limit - 1)}…` : text);
