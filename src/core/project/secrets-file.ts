import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

/**
 * `.sluice/secrets.env`: connection secrets entered in the web UI, as
 * `NAME=value` lines (values JSON-quoted when they need it). connections.yaml
 * refers to them as `${NAME}`; the file is never in git and only its owner
 * reads it.
 */
export function secretsFilePath(stateDir: string): string {
  return path.join(stateDir, 'secrets.env');
}

export function readSecretsFile(stateDir: string): Record<string, string> {
  const file = secretsFilePath(stateDir);
  if (!existsSync(file)) return {};
  return parseSecretsText(readFileSync(file, 'utf8'));
}

/** The `NAME=value` lines of a secrets file's text. */
export function parseSecretsText(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const match = /^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/.exec(line.trim());
    if (!match) continue;
    const raw = match[2]!;
    out[match[1]!] = raw.startsWith('"') ? (JSON.parse(raw) as string) : raw;
  }
  return out;
}

/** One line per secret; values with spaces, quotes or line breaks are JSON-quoted. */
export function formatSecretsFile(secrets: Readonly<Record<string, string>>): string {
  return Object.entries(secrets)
    .map(([name, value]) => `${name}=${/^[^\s"'#\\]*$/.test(value) ? value : JSON.stringify(value)}\n`)
    .join('');
}
