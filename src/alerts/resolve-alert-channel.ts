import { ConfigError } from '../core/errors.ts';
import { isSecretKey, registerSecret } from '../core/project/secrets.ts';
import { envReferencePattern, type AlertChannel } from '../core/pipeline/alert-schema.ts';

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
  const resolve = (value: unknown, key: string): unknown => {
    if (typeof value === 'string') {
      const out = value.replace(envReferencePattern, (_, name: string, fallback?: string) => {
        const found = env[name];
        if (found === undefined || found === '') {
          if (fallback !== undefined) return fallback;
          throw new ConfigError(
            'alert.env_missing',
            `alert to ${label} needs the environment variable ${name}, which is not set`,
          );
        }
        registerSecret(found);
        return found;
      });
      if (isSecretKey(key)) registerSecret(out);
      return out;
    }
    if (Array.isArray(value)) return value.map((item) => resolve(item, key));
    if (value && typeof value === 'object') {
      return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, resolve(v, k)]));
    }
    return value;
  };
  return resolve(channel, '') as C;
}
