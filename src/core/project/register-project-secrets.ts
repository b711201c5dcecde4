import { envReference } from './fill-env.ts';
import { isSecretKey, registerSecret } from './secrets.ts';

/**
 * Registers every secret-backed value of the project for masking, whether or
 * not a run uses its connection: each value of `.sluice/secrets.env`, each
 * environment value a connection refers to (`${NAME}`), and each literal
 * setting whose name says it is a secret. A block that prints one (even one
 * no connection of its run used) shows `***`.
 */
export function registerProjectSecrets(
  connections: Iterable<{ readonly settings: unknown }>,
  secrets: Readonly<Record<string, string>>,
  env: NodeJS.ProcessEnv = process.env,
): void {
  for (const value of Object.values(secrets)) registerSecret(value);
  const visit = (value: unknown, key: string): void => {
    if (typeof value === 'string') {
      const references = [...value.matchAll(envReference)];
      for (const [, name] of references) {
        const found = env[name!] || secrets[name!];
        if (found) registerSecret(found);
      }
      if (isSecretKey(key) && !references.length) registerSecret(value);
    } else if (Array.isArray(value)) for (const item of value) visit(item, key);
    else if (value && typeof value === 'object') for (const [k, v] of Object.entries(value)) visit(v, k);
  };
  for (const spec of connections) visit(spec.settings, '');
}
