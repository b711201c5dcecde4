import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { isMap, parseDocument, type Document, type YAMLMap } from 'yaml';
import { connectionsFileSchema } from '../core/project/project-schema.ts';
import { parseYamlText } from '../core/config/parse-yaml-file.ts';
import { ConfigError } from '../core/errors.ts';
import { envReference } from '../core/project/fill-env.ts';
import { isSecretKey } from '../core/project/secrets.ts';
import { dataPlaneConnectionName, reservedConnectionNames } from '../core/project/connection-spec.ts';
import { formatSecretsFile, readSecretsFile, secretsFilePath } from '../core/project/secrets-file.ts';

/** A connection as the API shows it: secret values replaced by whether they are set. */
export interface ConnectionView {
  readonly name: string;
  /** The connector's name. */
  readonly connector: string;
  readonly settings: Record<string, unknown>;
}

export interface ConnectionChange {
  readonly connector: string;
  readonly settings: Readonly<Record<string, unknown>>;
  /** Secret settings by key; written to `.sluice/secrets.env`, never to connections.yaml. */
  readonly secrets?: Readonly<Record<string, string>> | undefined;
}

const hasReference = (value: string): boolean => /\$\{[A-Za-z_][A-Za-z0-9_]*(:-[^}]*)?\}/.test(value);
const namePattern = /^[A-Za-z_][A-Za-z0-9_-]*$/;

/** `SLUICE_<CONNECTION>_<KEY>`: the variable a connection's secret setting is kept in. */
export function secretVariable(connection: string, key: string): string {
  return `SLUICE_${connection}_${key}`.toUpperCase().replace(/[^A-Z0-9_]/g, '_');
}

export function connectionsFile(root: string): string {
  return path.join(root, 'connections.yaml');
}

function readDocument(root: string): Document {
  const file = connectionsFile(root);
  const doc = parseDocument(existsSync(file) ? readFileSync(file, 'utf8') : '', { uniqueKeys: true });
  if (doc.errors.length) throw new ConfigError('config.yaml_syntax', `connections.yaml: invalid YAML: ${doc.errors[0]!.message.split('\n')[0]}`, { location: { file: 'connections.yaml' } });
  if (!isMap(doc.contents)) doc.contents = doc.createNode({}) as never;
  if (!isMap(doc.get('connections'))) doc.set('connections', doc.createNode({}));
  return doc;
}

function connectionsMap(doc: Document): YAMLMap {
  return doc.get('connections') as YAMLMap;
}

/**
 * Every connection, with each secret setting (a `${NAME}` reference or a
 * secret-named key) shown as `{ secret: { set } }`: its value never leaves here.
 */
export function listConnections(root: string, stateDir: string, env: NodeJS.ProcessEnv = process.env): ConnectionView[] {
  const secrets = readSecretsFile(stateDir);
  const data = (connectionsMap(readDocument(root)).toJSON() ?? {}) as Record<string, Record<string, unknown>>;
  return Object.entries(data).map(([name, spec]) => {
    // `type:` is the old spelling of `connector:`.
    const { connector, type, ...settings } = spec;
    return { name, connector: String(connector ?? type), settings: maskSettings(settings, (v) => Boolean(secrets[v] ?? env[v])) };
  });
}

function maskSettings(settings: Record<string, unknown>, isSet: (variable: string) => boolean): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(settings)) {
    if (typeof value === 'string') {
      const refs = [...value.matchAll(envReference)];
      if (refs.length) {
        const unset = refs.filter((m) => m[2] === undefined && !isSet(m[1]!)).map((m) => m[1]!);
        // The variable's name (never a value) tells the user what to set.
        out[key] = { secret: unset.length ? { set: false, variables: unset } : { set: true, from: [...new Set(refs.map((m) => m[1]!))] } };
      }
      else if (isSecretKey(key)) out[key] = { secret: { set: value !== '' } };
      // A password written by hand inside a URL (postgres://user:pass@host) is still a secret.
      else out[key] = value.replace(/(\/\/[^:/@\s]+:)[^@/\s]+@/g, '$1***@');
    } else if (value && typeof value === 'object' && !Array.isArray(value)) {
      out[key] = maskSettings(value as Record<string, unknown>, isSet);
    } else out[key] = value;
  }
  return out;
}

/**
 * Adds (`create`) or changes a connection. Secret values, and any
 * secret-named setting given as plain text, go to `.sluice/secrets.env`;
 * connections.yaml refers to them as `${SLUICE_CONN_KEY}`. A change that
 * leaves a secret out keeps it.
 */
export function saveConnection(root: string, stateDir: string, name: string, change: ConnectionChange, mode: 'create' | 'update'): void {
  if (!namePattern.test(name)) throw new ConfigError('connection.bad_name', `'${name}' is not a connection name: use letters, digits, _ and -, starting with a letter or _`);
  if (mode === 'create' && reservedConnectionNames.includes(name)) {
    const what = name === dataPlaneConnectionName ? 'the data plane itself (a SQL block with this connection runs there)' : "the built-in connection to the project's embedded warehouse";
    throw new ConfigError('connection.reserved_name', `'${name}' is reserved for ${what}; choose another name`);
  }
  const doc = readDocument(root);
  const connections = connectionsMap(doc);
  const existing = connections.get(name, true);
  if (mode === 'create' && existing) throw new ConfigError('connection.exists', `connection '${name}' already exists`);
  if (mode === 'update' && !existing) throw new ConfigError('connection.not_found', `no connection '${name}'`);
  const previous = (isMap(existing) ? existing.toJSON() : {}) as Record<string, unknown>;

  const secrets = readSecretsFile(stateDir);
  const entry: Record<string, unknown> = { connector: change.connector };
  for (const [key, value] of Object.entries(change.settings)) {
    if (key === 'connector' || key === 'type') continue;
    if (isSecretKey(key) && typeof value === 'string' && !hasReference(value)) {
      secrets[secretVariable(name, key)] = value;
      entry[key] = `\${${secretVariable(name, key)}}`;
    } else if (value && typeof value === 'object' && 'secret' in (value as object)) {
      // The masked form sent back unchanged: keep what is stored.
      if (previous[key] !== undefined) entry[key] = previous[key];
    } else entry[key] = value;
  }
  for (const [key, value] of Object.entries(change.secrets ?? {})) {
    secrets[secretVariable(name, key)] = value;
    entry[key] = `\${${secretVariable(name, key)}}`;
  }
  // Secrets left out keep their reference, whether Sluice wrote it or a person did
  // (`${PG_PASSWORD}`): the listing masks both, so a form cannot send them back.
  for (const [key, value] of Object.entries(previous)) {
    if (entry[key] === undefined && typeof value === 'string' && hasReference(value)) entry[key] = value;
  }
  // A secret setting that is gone takes its value with it.
  for (const key of Object.keys(previous)) if (entry[key] === undefined) delete secrets[secretVariable(name, key)];
  if (isMap(existing)) {
    const target = existing;
    // Saving writes the current spelling, in the old key's place.
    const old = target.items.find((item) => String((item.key as { value?: unknown }).value ?? item.key) === 'type');
    if (old && !target.has('connector')) {
      old.key = doc.createNode('connector');
      previous.connector = previous.type;
      delete previous.type;
    }
    for (const item of [...target.items]) if (!(String((item.key as { value?: unknown }).value ?? item.key) in entry)) target.delete(item.key);
    for (const [k, v] of Object.entries(entry)) if (JSON.stringify(previous[k]) !== JSON.stringify(v)) target.set(k, doc.createNode(v));
  } else connections.set(name, doc.createNode(entry));
  writeConnections(root, doc);
  writeSecrets(stateDir, secrets);
}

export function deleteConnection(root: string, stateDir: string, name: string): void {
  const doc = readDocument(root);
  const existing = connectionsMap(doc).get(name, true);
  if (!isMap(existing)) throw new ConfigError('connection.not_found', `no connection '${name}'`);
  // Only this connection's own variables go: another connection's name may start the same way.
  const own = new Set(Object.keys(existing.toJSON() as Record<string, unknown>).map((key) => secretVariable(name, key)));
  connectionsMap(doc).delete(name);
  writeConnections(root, doc);
  const secrets = readSecretsFile(stateDir);
  writeSecrets(stateDir, Object.fromEntries(Object.entries(secrets).filter(([k]) => !own.has(k))));
}

function writeConnections(root: string, doc: Document): void {
  const text = doc.toString();
  parseYamlText(text, connectionsFileSchema, 'connections.yaml');
  writeFileSync(connectionsFile(root), text);
}

/** Writes `.sluice/secrets.env`, readable by its owner only. */
export function writeSecrets(stateDir: string, secrets: Record<string, string>): void {
  mkdirSync(stateDir, { recursive: true });
  const file = secretsFilePath(stateDir);
  writeFileSync(file, formatSecretsFile(secrets), { mode: 0o600 });
  chmodSync(file, 0o600);
}
