/**
 * Rewrites `$1`, `$2`, ... (the placeholders every connector's `query`
 * takes) into SQLite's positional `?`, and orders the values to match. Text in
 * quotes, quoted names and comments is left alone. SQL without `$n` keeps its
 * own placeholders and values.
 */
export function positionalParams(sql: string, params: readonly unknown[]): { sql: string; values: unknown[] } {
  let out = '';
  const values: unknown[] = [];
  let i = 0;
  while (i < sql.length) {
    const ch = sql[i]!;
    const close = ch === "'" || ch === '"' || ch === '`' ? ch : ch === '[' ? ']' : undefined;
    if (close) {
      const end = sql.indexOf(close, i + 1);
      const stop = end === -1 ? sql.length : end + 1;
      out += sql.slice(i, stop);
      i = stop;
    } else if (sql.startsWith('--', i) || sql.startsWith('/*', i)) {
      const end = sql.startsWith('--', i) ? sql.indexOf('\n', i) : sql.indexOf('*/', i + 2);
      const stop = end === -1 ? sql.length : sql.startsWith('--', i) ? end : end + 2;
      out += sql.slice(i, stop);
      i = stop;
    } else if (ch === '$' && /[0-9]/.test(sql[i + 1] ?? '')) {
      const digits = /^[0-9]+/.exec(sql.slice(i + 1))![0];
      const n = Number(digits);
      if (n < 1 || n > params.length) throw new RangeError(`$${digits} has no value: ${params.length} parameter(s) given`);
      values.push(params[n - 1]);
      out += '?';
      i += 1 + digits.length;
    } else {
      out += ch;
      i++;
    }
  }
  return values.length ? { sql: out, values } : { sql, values: [...params] };
}
