/** Quotes an identifier for SQL engines that follow the standard (DuckDB, PostgreSQL, SQLite). */
export function quoteIdent(name: string): string {
  if (name.includes('\0')) throw new Error('an identifier cannot contain a NUL character');
  return `"${name.replaceAll('"', '""')}"`;
}

/** Quotes a string literal where a parameter cannot be used (file paths in COPY). */
export function quoteLiteral(value: string): string {
  if (value.includes('\0')) throw new Error('a literal cannot contain a NUL character');
  return `'${value.replaceAll("'", "''")}'`;
}

/** `schema.table` or `table`, each part quoted. */
export function quoteQualified(name: string): string {
  return splitQualified(name).map(quoteIdent).join('.');
}

/**
 * Splits `schema.table` on the first dot outside double quotes; a name with a
 * dot inside quotes (`"odd.name"`) stays whole.
 */
export function splitQualified(name: string): string[] {
  const parts: string[] = [];
  let current = '';
  let quoted = false;
  for (let i = 0; i < name.length; i++) {
    const ch = name[i]!;
    if (ch === '"') {
      if (quoted && name[i + 1] === '"') {
        current += '"';
        i++;
      } else quoted = !quoted;
    } else if (ch === '.' && !quoted) {
      parts.push(current);
      current = '';
    } else current += ch;
  }
  parts.push(current);
  return parts;
}
