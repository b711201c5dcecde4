/**
 * Fast paths for moving rows between columns and JS objects. Every row of a
 * block's output has the same keys, so a function generated once per column
 * set (object literals, fixed property names) lets the JS engine keep one
 * object shape and inline every property access, instead of the slow keyed
 * access that a loop over column names gives. Names enter the generated code
 * only as JSON string literals.
 */

export type RowBuilder = (columns: readonly (readonly unknown[])[], count: number, into: Record<string, unknown>[]) => void;

export function createRowBuilder(names: readonly string[]): RowBuilder {
  const fields = names.map((name, c) => `${JSON.stringify(name)}: c${c}[r]`).join(', ');
  const unpack = names.map((_, c) => `const c${c} = columns[${c}];`).join('\n');
  return new Function('columns', 'count', 'into', `${unpack}\nfor (let r = 0; r < count; r++) into.push({ ${fields} });`) as RowBuilder;
}

/** Reads the named properties of a row into an array, in order. */
export type RowReader = (row: Record<string, unknown>) => unknown[];

export function createRowReader(names: readonly string[]): RowReader {
  const values = names.map((name) => `row[${JSON.stringify(name)}]`).join(', ');
  return new Function('row', `return [${values}];`) as RowReader;
}
