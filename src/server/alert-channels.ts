import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import { alertEnv } from '../alerts/project-alerts.ts';
import { describeChannel, sendAlerts, type AlertResult } from '../alerts/send-alerts.ts';
import { alertEventKinds, alertSchema, hasEnvReference, type AlertEventKind } from '../core/pipeline/alert-schema.ts';
import { ConfigError } from '../core/errors.ts';
import { envReference } from '../core/project/fill-env.ts';
import { loadProject } from '../core/project/load-project.ts';
import { readSecretsFile } from '../core/project/secrets-file.ts';
import { registerSecret } from '../core/project/secrets.ts';
import { readAlertEntries, writeAlertEntries, type AlertEntry, type AlertScope } from '../workspace/alerts-file.ts';
import { writeSecrets } from '../workspace/connections-file.ts';

/** A new alert channel as the web UI sends it; secret values are typed once and never come back. */
export const alertChannelInput = z
  .object({
    on: z.array(z.enum(alertEventKinds)).min(1),
    kind: z.enum(['webhook', 'slack', 'email']),
    /** The webhook or Slack URL: a secret (whoever has it can post), or a `${NAME}` reference. */
    url: z.string().optional(),
    email: z
      .object({
        to: z.array(z.string()).min(1),
        from: z.string(),
        subject_prefix: z.string().optional(),
        smtp: z.object({ host: z.string(), port: z.number().int().optional(), user: z.string().optional(), password: z.string().optional(), secure: z.boolean().optional() }).strict(),
      })
      .strict()
      .optional(),
  })
  .strict();

export type AlertChannelInput = z.output<typeof alertChannelInput>;
/** What `POST /api/alerts/project` and `POST /api/alerts/pipelines/:name` take. */
export type AlertChannelRequest = z.input<typeof alertChannelInput>;

/** An alert channel as the API shows it: what it is and where it goes, never a secret value. */
export interface AlertChannelView {
  readonly index: number;
  readonly on: readonly AlertEventKind[];
  readonly kind: string;
  /** E.g. "slack https://hooks.slack.com" or "email ops@example.com". */
  readonly label: string;
  /** The environment variables it reads, and whether each is set (in the environment or .sluice/secrets.env). */
  readonly variables: readonly { readonly name: string; readonly set: boolean }[];
  /** Why the entry cannot be used, when it is broken. */
  readonly problem?: string;
}

export function listAlertChannels(root: string, stateDir: string, scope: AlertScope): AlertChannelView[] {
  const env = alertEnv({ stateDir });
  return readAlertEntries(root, scope).map((entry, index) => {
    const names = [...new Set([...JSON.stringify(entry).matchAll(envReference)].map((m) => m[1]!))];
    const variables = names.map((name) => ({ name, set: Boolean(env[name]) }));
    const parsed = alertSchema.safeParse(entry);
    if (!parsed.success) return { index, on: [], kind: 'unknown', label: 'a broken entry', variables, problem: parsed.error.issues[0]!.message };
    return { index, on: parsed.data.on, kind: parsed.data.channel.kind, label: describeChannel(parsed.data.channel), variables };
  });
}

/**
 * Appends a channel to the scope's `alerts:`. A secret typed as a value (a
 * webhook URL, an SMTP password) goes to `.sluice/secrets.env`, and the file
 * git sees gets a `${SLUICE_ALERT_...}` reference; a `${NAME}` typed stays as it is.
 */
export function addAlertChannel(root: string, stateDir: string, scope: AlertScope, input: AlertChannelInput): void {
  const entry = entryFor(input);
  // Checked with its literal values, before any becomes a reference.
  const checked = alertSchema.safeParse(entry);
  if (!checked.success) throw new ConfigError('alert.bad_channel', `${checked.error.issues[0]!.path.map(String).join('.') || input.kind}: ${checked.error.issues[0]!.message}`);
  const secrets = readSecretsFile(stateDir);
  const keep = (value: string): string => {
    if (hasEnvReference(value)) return value;
    registerSecret(value);
    const name = `SLUICE_ALERT_${scope.kind === 'project' ? 'PROJECT' : scope.name.toUpperCase().replace(/[^A-Z0-9]/g, '_')}_${randomBytes(3).toString('hex').toUpperCase()}`;
    secrets[name] = value;
    return `\${${name}}`;
  };
  const stored: Record<string, unknown> = { ...entry };
  if (input.kind === 'webhook' || input.kind === 'slack') stored[input.kind] = keep(String(entry[input.kind]));
  const smtp = input.email?.smtp;
  if (input.kind === 'email' && smtp?.password) stored.email = { ...(entry.email as object), smtp: { ...smtp, password: keep(smtp.password) } };
  writeAlertEntries(root, scope, [...readAlertEntries(root, scope), stored]);
  writeSecrets(stateDir, secrets);
}

function entryFor(input: AlertChannelInput): Record<string, unknown> {
  const on = { on: input.on };
  if (input.kind !== 'email') return { ...on, [input.kind]: input.url?.trim() ?? '' };
  if (!input.email) throw new ConfigError('alert.bad_channel', 'email: an e-mail channel needs to, from and smtp');
  const { to, from, subject_prefix, smtp } = input.email;
  const server = Object.fromEntries(Object.entries(smtp).filter(([, v]) => v !== undefined && v !== ''));
  return { ...on, email: { to, from, ...(subject_prefix ? { subject_prefix } : {}), smtp: server } };
}

function entryAt(root: string, scope: AlertScope, index: number): { entries: AlertEntry[]; entry: AlertEntry } {
  const entries = readAlertEntries(root, scope);
  const entry = entries[index];
  if (!entry) throw new ConfigError('alert.not_found', `there is no alert channel number ${index + 1} here`);
  return { entries, entry };
}

/** Changes which events a channel is told about. */
export function setAlertEvents(root: string, scope: AlertScope, index: number, on: readonly string[]): void {
  const { entries, entry } = entryAt(root, scope, index);
  writeAlertEntries(root, scope, entries.map((e, i) => (i === index ? { ...entry, on } : e)));
}

/** Removes a channel, and the secrets the web UI kept for it. */
export function removeAlertChannel(root: string, stateDir: string, scope: AlertScope, index: number): void {
  const { entries, entry } = entryAt(root, scope, index);
  writeAlertEntries(root, scope, entries.filter((_, i) => i !== index));
  const owned = [...JSON.stringify(entry).matchAll(envReference)].map((m) => m[1]!).filter((name) => name.startsWith('SLUICE_ALERT_'));
  if (!owned.length) return;
  const secrets = readSecretsFile(stateDir);
  for (const name of owned) delete secrets[name];
  writeSecrets(stateDir, secrets);
}

/** Sends a test alert through a saved channel, once, and says whether it arrived (errors masked). */
export async function sendTestAlert(root: string, scope: AlertScope, index: number): Promise<AlertResult> {
  const project = loadProject(root);
  const { entry } = entryAt(root, scope, index);
  const parsed = alertSchema.safeParse(entry);
  if (!parsed.success) throw new ConfigError('alert.bad_channel', parsed.error.issues[0]!.message);
  const alert = parsed.data;
  const subject = scope.kind === 'project' ? `project ${project.name}` : `pipeline ${scope.name}`;
  const now = new Date().toISOString();
  const [result] = await sendAlerts([alert], { kind: alert.on[0]!, pipeline: subject, runId: 'test', status: 'succeeded', startedAt: now, endedAt: now, test: true }, { env: alertEnv(project), retries: 0 });
  return result!;
}
