import { ConfigError } from '../errors.ts';

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
 * Splits `schema.table` on the dots outside double quotes. A part in double
 * quotes is taken as written, with `""` for a quote inside it: `"odd.name"`
 * is one name with a dot, `"x""y"` is `x"y`. Anything that would lose or
 * move a character is refused with the reason, never repaired: a quote
 * inside an unquoted part, a quote left open, text after a closing quote,
 * an empty part.
 */
export function splitQualified(name: string): string[] {
  const refuse = (why: string): never => {
    throw new ConfigError('table.bad_name', `table name '${name}' ${why}; ${quotingHint}`);
  };
  if (name.includes('\0')) refuse('holds a NUL character, which no database keeps');
  const parts: string[] = [];
  let i = 0;
  for (;;) {
    let part = '';
    if (name[i] === '"') {
      i++;
      for (;;) {
        if (i >= name.length) refuse('opens a double quote it never closes');
        if (name[i] === '"') {
          if (name[i + 1] !== '"') break;
          part += '"';
          i += 2;
        } else part += name[i++];
      }
      i++;
      if (i < name.length && name[i] !== '.') refuse(`has text after the closing quote of "${part}"`);
      if (part === '') refuse('has an empty quoted part');
    } else {
      while (i < name.length && name[i] !== '.') {
        if (name[i] === '"') refuse('holds a double quote outside a quoted part');
        part += name[i++];
      }
      if (part === '') refuse('has an empty part (a dot at the start or end, or two dots in a row)');
    }
    parts.push(part);
    if (i >= name.length) return parts;
    i++;
  }
}

/** Parts back into a name `splitQualified` reads as the same parts: a part with a dot or a quote is quoted. */
export function joinQualified(parts: readonly string[]): string {
  return parts.map((p) => (/[."]/.test(p) ? `"${p.replaceAll('"', '""')}"` : p)).join('.');
}

const quotingHint =
  'a dot separates schema and table; to keep a dot or a double quote in a name, write that part in double quotes and double each quote inside (\'"odd.name"\', \'"say ""hi"""\')';

/**
 * A table setting as (schema or database, table): at most one dot outside
 * quotes, so a name never loses a part or has one moved into another.
 * `qualifier` names the first part for the message (`schema`, `database`).
 */
export function tableNameParts(name: string, qualifier = 'schema'): { readonly qualifier?: string | undefined; readonly name: string } {
  const parts = splitQualified(name);
  if (parts.length > 2) {
    throw new ConfigError('table.bad_name', `table name '${name}' has ${parts.length} parts; write table or ${qualifier}.table; ${quotingHint}`);
  }
  return parts.length === 2 ? { qualifier: parts[0]!, name: parts[1]! } : { name: parts[0]! };
}
