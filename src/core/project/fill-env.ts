import { isSecretKey, registerSecret } from './secrets.ts';

/** `${NAME}` or `${NAME:-default}` in a setting. */
export const envReference = /\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g;

/**
 * Replaces `${NAME}` references in settings (at any depth) with environment
 * values. Every value read from the environment, and every setting whose name
 * says it is a secret, is registered so it is masked wherever it would show.
 * `missing(name)` makes the error for a variable that is not set.
 */
export function fillEnv<T>(settings: T, missing: (name: string) => Error, env: NodeJS.ProcessEnv = process.env): T {
  const fill = (value: unknown, key: string): unknown => {
    if (typeof value === 'string') {
      const out = value.replace(envReference, (_, name: string, fallback?: string) => {
        const found = env[name];
        if (found === undefined || found === '') {
          if (fallback !== undefined) return fallback;
          throw missing(name);
        }
        registerSecret(found);
        return found;
      });
      if (isSecretKey(key)) registerSecret(out);
      return out;
    }
    if (Array.isArray(value)) return value.map((item) => fill(item, key));
    if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, fill(v, k)]));
    return value;
  };
  return fill(settings, '') as T;
}
