import { randomBytes, timingSafeEqual } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/**
 * The API token: SLUICE_API_TOKEN when set, else one generated at first
 * start and kept in the project's state folder (readable by its owner only).
 * Sluice never ships a default secret.
 */
export function loadApiToken(stateDir: string, env: NodeJS.ProcessEnv = process.env): { token: string; source: string } {
  const fromEnv = env.SLUICE_API_TOKEN;
  if (fromEnv) return { token: fromEnv, source: 'SLUICE_API_TOKEN' };
  const file = path.join(stateDir, 'api-token');
  if (existsSync(file)) return { token: readFileSync(file, 'utf8').trim(), source: path.relative(path.dirname(stateDir), file) };
  mkdirSync(stateDir, { recursive: true });
  const token = randomBytes(32).toString('base64url');
  writeFileSync(file, `${token}\n`, { mode: 0o600 });
  chmodSync(file, 0o600);
  return { token, source: path.relative(path.dirname(stateDir), file) };
}

/** Compares in constant time, so the answer's timing says nothing about the token. */
export function tokenMatches(given: string | undefined, expected: string): boolean {
  if (!given) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}
