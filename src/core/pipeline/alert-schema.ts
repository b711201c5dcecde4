import { z } from 'zod';
import { envReference } from '../project/fill-env.ts';

export const alertEventKinds = ['failure', 'success', 'deadline', 'anomaly', 'drift'] as const;
export type AlertEventKind = (typeof alertEventKinds)[number];

/** `${NAME}` or `${NAME:-fallback}`. */

export function hasEnvReference(value: string): boolean {
  return new RegExp(envReference.source).test(value);
}

/** A string that must pass `isValid` unless it reads the environment, which is checked when it is filled in. */
const templated = (isValid: (value: string) => boolean, what: string) =>
  z
    .string()
    .min(1)
    .refine((value) => hasEnvReference(value) || isValid(value), `expected ${what} or a \${VARIABLE}`);

export function isHttpUrl(value: string): boolean {
  if (!URL.canParse(value)) return false;
  const { protocol } = new URL(value);
  return protocol === 'http:' || protocol === 'https:';
}

// Also accepts `Name <address>`; the SMTP server has the last word on an address.
const isAddress = (value: string): boolean => /^[^\s@<>]+@[^\s@<>]+$|<[^\s@<>]+@[^\s@<>]+>$/.test(value.trim());

const httpUrl = templated(isHttpUrl, 'an http(s) URL');
const address = templated(isAddress, 'an e-mail address');

const smtpSchema = z
  .object({
    host: z.string().min(1),
    port: z.number().int().min(1).max(65535).default(587),
    user: z.string().min(1).optional(),
    password: z.string().min(1).optional(),
    /** TLS from the start (port 465); otherwise STARTTLS is used when the server offers it. */
    secure: z.boolean().optional(),
  })
  .strict()
  .refine((smtp) => (smtp.user === undefined) === (smtp.password === undefined), {
    message: 'smtp needs both user and password, or neither',
  });

const emailSchema = z
  .object({
    to: z.union([address, z.array(address).min(1)]).transform((to) => (Array.isArray(to) ? to : [to])),
    from: address,
    /** Put before the subject, e.g. "[prod]". */
    subject_prefix: z.string().optional(),
    smtp: smtpSchema,
  })
  .strict();

const channelKeys = ['webhook', 'slack', 'email'] as const;

/**
 * The `alerts:` list of a pipeline file. Each entry names the events it wants
 * and exactly one channel:
 *
 * @example
 * alerts:
 *   - on: [failure]                      # failure | success | deadline | anomaly (default [failure])
 *     webhook: ${ALERT_WEBHOOK_URL}       # a JSON POST
 *   - on: [failure, deadline]
 *     slack: ${SLACK_WEBHOOK_URL}         # a Slack-compatible incoming webhook
 *   - email:
 *       to: [ops@example.com]
 *       from: sluice@example.com
 *       smtp: { host: smtp.example.com, port: 587, user: sluice, password: "${SMTP_PASSWORD}" }
 *
 * Strings may read the environment with `${NAME}` (or `${NAME:-fallback}`;
 * quoted inside `{ }`, where YAML reads braces as its own);
 * they are filled in when an alert is sent, so validating a pipeline needs no
 * secrets. This module imports nothing but zod, so the pipeline schema can embed it.
 */
export const alertSchema = z
  .object({
    on: z.array(z.enum(alertEventKinds)).min(1).default(['failure']),
    webhook: httpUrl.optional(),
    slack: httpUrl.optional(),
    email: emailSchema.optional(),
  })
  .strict()
  .superRefine((entry, ctx) => {
    const given = channelKeys.filter((key) => entry[key] !== undefined);
    if (given.length !== 1) {
      ctx.addIssue({
        code: 'custom',
        message: given.length
          ? `an alert has exactly one channel, this one has ${given.join(' and ')}; write one alert per channel`
          : 'an alert needs a channel: webhook, slack or email',
      });
    }
  })
  .transform(({ on, webhook, slack, email }): Alert => {
    const events = [...new Set(on)];
    if (webhook !== undefined) return { on: events, channel: { kind: 'webhook', url: webhook } };
    if (slack !== undefined) return { on: events, channel: { kind: 'slack', url: slack } };
    // superRefine guarantees one channel, so here it is the e-mail.
    const { to, from, subject_prefix, smtp } = email as z.output<typeof emailSchema>;
    return { on: events, channel: { kind: 'email', to, from, subjectPrefix: subject_prefix, smtp } };
  });

export const alertsSchema = z.array(alertSchema).default([]);

export interface WebhookChannel {
  readonly kind: 'webhook';
  readonly url: string;
}

export interface SlackChannel {
  readonly kind: 'slack';
  /** The incoming-webhook URL. Its path is a secret: whoever has it can post. */
  readonly url: string;
}

export interface SmtpSettings {
  readonly host: string;
  readonly port: number;
  readonly user?: string | undefined;
  readonly password?: string | undefined;
  readonly secure?: boolean | undefined;
}

export interface EmailChannel {
  readonly kind: 'email';
  readonly to: readonly string[];
  readonly from: string;
  readonly subjectPrefix?: string | undefined;
  readonly smtp: SmtpSettings;
}

export type AlertChannel = WebhookChannel | SlackChannel | EmailChannel;
export type AlertChannelKind = AlertChannel['kind'];

/** One parsed entry of `alerts:`; strings may still hold `${NAME}` references. */
export interface Alert {
  readonly on: readonly AlertEventKind[];
  readonly channel: AlertChannel;
}

/** An entry as written in YAML. */
export type AlertFile = z.input<typeof alertSchema>;
