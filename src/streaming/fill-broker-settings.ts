import { ConfigError } from '../core/errors.ts';
import { fillEnv } from '../core/project/fill-env.ts';
import { registerSecret } from '../core/project/secrets.ts';

/**
 * A source's or sink's settings with `${NAME}` (or `${NAME:-default}`) filled
 * from the environment, so a broker's password stays out of the pipeline file
 * (which the UI shows and git keeps). The values read, and a password written
 * in a `url`, are registered as secrets: logs and errors show them masked.
 */
export function fillBrokerSettings<T extends object>(settings: T, described: string, env: NodeJS.ProcessEnv = process.env): T {
  const filled = fillEnv(settings, (name) => new ConfigError('stream.env_missing', `${described} needs the environment variable ${name}, which is not set`), env);
  const url: unknown = 'url' in filled ? filled.url : undefined;
  if (typeof url === 'string') for (const one of url.split(',')) registerUrlPassword(one);
  return filled;
}

function registerUrlPassword(url: string): void {
  try {
    const { password } = new URL(url.trim());
    if (password) registerSecret(decodeURIComponent(password));
  } catch {
    // Not a URL the broker's client will take either: it says so when it connects.
  }
}
