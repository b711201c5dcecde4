import { hasEnvReference } from '../core/pipeline/alert-schema.ts';
import type { ConnectionSpec, Project } from '../core/project/load-project.ts';
import { readSecretsFile } from '../core/project/secrets-file.ts';
import { isSecretKey, registerSecret } from '../core/project/secrets.ts';
import type { ConnectionChange } from '../workspace/connections-file.ts';

const isMaskedSecret = (value: unknown): boolean => typeof value === 'object' && value !== null && 'secret' in value;

/**
 * A connection as an unsaved form describes it, to test before anything is
 * written. Secrets typed in the form are used as they are (and masked in any
 * message); a secret the form left empty keeps the stored connection's value,
 * as saving would. Nothing here writes a file.
 */
export function draftConnectionSpec(project: Project, name: string, change: ConnectionChange): ConnectionSpec {
  const stored = project.connections.get(name);
  const settings: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(change.settings)) {
    if (key === 'connector' || key === 'type') continue;
    if (isMaskedSecret(value)) {
      if (stored?.settings[key] !== undefined) settings[key] = stored.settings[key];
      continue;
    }
    if (isSecretKey(key) && typeof value === 'string') registerSecret(value);
    settings[key] = value;
  }
  for (const [key, value] of Object.entries(change.secrets ?? {})) {
    registerSecret(value);
    settings[key] = value;
  }
  for (const [key, value] of Object.entries(stored?.settings ?? {})) {
    if (settings[key] === undefined && typeof value === 'string' && hasEnvReference(value)) settings[key] = value;
  }
  return {
    name,
    connector: change.connector,
    settings,
    declaredAt: { file: 'connections.yaml' },
    secrets: stored?.secrets ?? readSecretsFile(project.stateDir),
  };
}
