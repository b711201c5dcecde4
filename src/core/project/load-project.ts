import { existsSync } from 'node:fs';
import path from 'node:path';
import { parseYamlFile } from '../config/parse-yaml-file.ts';
import { ConfigError, type ConfigWarning, type ErrorLocation } from '../errors.ts';
import { connectionsFileSchema, projectFileSchema, type ProjectFile } from './project-schema.ts';
import { fillEnv } from './fill-env.ts';
import { readSecretsFile } from './secrets-file.ts';
import { registerProjectSecrets } from './register-project-secrets.ts';

/** A named connection as written, with `${ENV}` references still unresolved. */
export interface ConnectionSpec {
  readonly name: string;
  /** The connector's name (`connector:` in connections.yaml). */
  readonly connector: string;
  readonly settings: Readonly<Record<string, unknown>>;
  readonly declaredAt: ErrorLocation;
  /** Values of `.sluice/secrets.env`, which `${NAME}` reads when the environment has no NAME. */
  readonly secrets?: Readonly<Record<string, string>> | undefined;
}

export interface Project {
  readonly root: string;
  readonly name: string;
  readonly settings: ProjectFile;
  readonly connections: ReadonlyMap<string, ConnectionSpec>;
  /** Local state: run store, stored outputs, the warehouse. Git-ignored. */
  readonly stateDir: string;
  readonly warehousePath: string;
  /** Old spellings in the project's files, which still work; the CLI shows them. */
  readonly warnings?: readonly ConfigWarning[] | undefined;
}

export const projectFileName = 'sluice.yaml';

/** Walks up from `start` to the folder holding sluice.yaml. */
export function findProjectRoot(start: string): string | undefined {
  let dir = path.resolve(start);
  for (;;) {
    if (existsSync(path.join(dir, projectFileName))) return dir;
    const parent = path.dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

export function loadProject(start: string): Project {
  const root = findProjectRoot(start);
  if (!root) {
    throw new ConfigError(
      'project.not_found',
      `no ${projectFileName} in ${path.resolve(start)} or any folder above it; create a project with 'sluice init'`,
    );
  }
  const { data: settings } = parseYamlFile(path.join(root, projectFileName), projectFileSchema, projectFileName);
  const connections = new Map<string, ConnectionSpec>();
  const warnings: ConfigWarning[] = [];
  const secrets = readSecretsFile(path.join(root, '.sluice'));
  const connectionsFile = path.join(root, 'connections.yaml');
  if (existsSync(connectionsFile)) {
    const { data, locate } = parseYamlFile(connectionsFile, connectionsFileSchema, 'connections.yaml');
    for (const [name, spec] of Object.entries(data.connections)) {
      const { connector, type, ...rest } = spec;
      if (type !== undefined) {
        warnings.push({
          code: 'connection.type_deprecated',
          message: `connection '${name}': 'type: ${type}' is the old spelling of 'connector: ${type}'; rename the key (type still works for now)`,
          location: locate(['connections', name, 'type']),
        });
      }
      connections.set(name, { name, connector: (connector ?? type)!, settings: rest, declaredAt: locate(['connections', name]), secrets });
    }
  }
  registerProjectSecrets(connections.values(), secrets);
  return {
    root,
    name: settings.name,
    settings,
    connections,
    stateDir: path.join(root, '.sluice'),
    warehousePath: path.resolve(root, settings.warehouse),
    ...(warnings.length ? { warnings } : {}),
  };
}

/**
 * Replaces `${NAME}` in a connection's settings with environment values. Done
 * only when the connection is used, so an unused connection needs no env.
 * Every substituted value, and every secret-named setting, becomes a secret.
 */
export function resolveConnectionSettings(
  spec: ConnectionSpec,
  env: NodeJS.ProcessEnv = process.env,
): Record<string, unknown> {
  return fillEnv(
    spec.settings as Record<string, unknown>,
    (name) =>
      new ConfigError('connection.env_missing', `connection '${spec.name}' needs the environment variable ${name}, which is not set`, {
        location: spec.declaredAt,
      }),
    spec.secrets ? { ...spec.secrets, ...env } : env,
  );
}
