import { hash, verify } from '@node-rs/argon2';

/** Argon2id (the library's default algorithm) with its recommended cost; the hash carries its own parameters. */
export async function hashPassword(password: string): Promise<string> {
  return hash(password);
}

/**
 * Whether the password matches the hash. Without a hash (no such user, or a
 * user who signs in elsewhere) it still spends the time of one check, so how
 * long a refusal takes says nothing about which names exist.
 */
export async function verifyPassword(passwordHash: string | undefined, password: string): Promise<boolean> {
  const ok = await verify(passwordHash ?? (await decoy()), password).catch(() => false);
  return passwordHash !== undefined && ok;
}

let decoyHash: Promise<string> | undefined;
function decoy(): Promise<string> {
  decoyHash ??= hash('sluice-decoy-password');
  return decoyHash;
}

/** A password's rules, checked where one is set (CLI and API alike). */
export function passwordProblem(password: string): string | undefined {
  if (password.length < 10) return 'a password has at least 10 characters';
  if (password.length > 1000) return 'a password has at most 1000 characters';
  return undefined;
}
