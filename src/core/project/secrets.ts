/**
 * Values that must never be shown: everything read from the environment into
 * a connection, and any setting whose name says it is a secret. Every message
 * that leaves Sluice (logs, errors, run records) passes through `mask`.
 */
const known = new Set<string>();

export function registerSecret(value: string): void {
  // Very short values would mask ordinary words; they are still never printed
  // by Sluice itself, which shows connection settings masked field by field.
  if (value.length >= 4) known.add(value);
}

export function mask(text: string): string {
  let out = text;
  // Longest first, so a secret that contains a shorter one is masked whole.
  for (const secret of [...known].sort((a, b) => b.length - a.length)) {
    if (out.includes(secret)) out = out.split(secret).join('***');
    const encoded = encodeURIComponent(secret);
    if (encoded !== secret && out.includes(encoded)) out = out.split(encoded).join('***');
  }
  return out.replace(/(\/\/[^:/@\s]+:)[^@/\s]+@/g, '$1***@');
}

const secretKey = /pass(word)?|secret|token|key|credential/i;

export function isSecretKey(key: string): boolean {
  return secretKey.test(key);
}
