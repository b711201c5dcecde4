import { ConfigError } from '../core/errors.ts';
import { fillEnv } from '../core/project/fill-env.ts';
import type { AlertChannel } from '../core/pipeline/alert-schema.ts';

/**
 * Fills the `${NAME}` references of a channel's settings from the
 * environment. Every value read from the environment, and every setting whose
 * name says it is a secret (the SMTP password), is registered as a secret.
 * `label` names the channel in the error when a variable is not set.
 */
export function resolveAlertChannel<C extends AlertChannel>(
  channel: C,
  label: string,
  env: NodeJS.ProcessEnv = process.env,
): C {
  return fillEnv(channel, (name) => new ConfigError('alert.env_missing', `alert to ${label} needs the environment variable ${name}, which is not set`), env);
}
