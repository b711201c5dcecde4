import { existsSync } from 'node:fs';
import path from 'node:path';
import { parseYamlText, readConfigText } from '../config/parse-yaml-file.ts';
import { ConfigError, type ConfigWarning, type ErrorLocation } from '../errors.ts';
import { connectionsFileSchema, projectFileSchema, type ProjectFile } from './project-schema.ts';
import { fillEnv } from './fill-env.ts';
import { parseSecretsText, secretsFilePath } from './secrets-file.ts';
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

/** The files a project is loaded from, as last read: the same text is the same project. */
interface ProjectTexts {
  readonly settings: string;
  readonly connections: string | undefined;
  readonly secrets: string | undefined;
}

/** The last project loaded from each root, by the text of its files. */
const loadedProjects = new Map<string, { readonly texts: ProjectTexts; readonly project: Project; readonly secrets: Readonly<Record<string, string>> }>();

/**
 * Loads the project as its files are now. Its files are read every time, and
 * parsed again only when their text changed since the last load of the same
 * root: a worker or a backfill loads the project once per block run or date,
 * and parsing costs far more than reading. Never a stale project: any change
 * to sluice.yaml, connections.yaml or `.sluice/secrets.env` is seen at once.
 */
export function loadProject(start: string): Project {
  const root = findProjectRoot(start);
  if (!root) {
    throw new ConfigError(
      'project.not_found',
      `no ${projectFileName} in ${path.resolve(start)} or any folder above it; create a project with 'sluice init'`,
    );
  }
  const texts = readProjectTexts(root);
  const last = loadedProjects.get(root);
  if (last && sameTexts(last.texts, texts)) {
    // The environment a connection refers to may have changed: its values are masked whenever the project loads.
    registerProjectSecrets(last.project.connections.values(), last.secrets);
    return last.project;
  }
  const { project, secrets } = parseProject(root, texts);
  loadedProjects.set(root, { texts, project, secrets });
  return project;
}

function readProjectTexts(root: string): ProjectTexts {
  const connectionsFile = path.join(root, 'connections.yaml');
  const secretsFile = secretsFilePath(path.join(root, '.sluice'));
  return {
    settings: readConfigText(path.join(root, projectFileName), projectFileName),
    connections: existsSync(connectionsFile) ? readConfigText(connectionsFile, 'connections.yaml') : undefined,
    secrets: existsSync(secretsFile) ? readConfigText(secretsFile, '.sluice/secrets.env') : undefined,
  };
}

const sameTexts = (a: ProjectTexts, b: ProjectTexts): boolean => a.settings === b.settings && a.connections === b.connections && a.secrets === b.secrets;

function parseProject(root: string, texts: ProjectTexts): { project: Project; secrets: Readonly<Record<string, string>> } {
  const { data: settings } = parseYamlText(texts.settings, projectFileSchema, projectFileName);
  const connections = new Map<string, ConnectionSpec>();
  const warnings: ConfigWarning[] = [];
  const secrets = texts.secrets === undefined ? {} : parseSecretsText(texts.secrets);
  if (texts.connections !== undefined) {
    const { data, locate } = parseYamlText(texts.connections, connectionsFileSchema, 'connections.yaml');
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
  const project: Project = {
    root,
    name: settings.name,
    settings,
    connections,
    stateDir: path.join(root, '.sluice'),
    warehousePath: path.resolve(root, settings.warehouse),
    ...(warnings.length ? { warnings } : {}),
  };
  return { project, secrets };
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
