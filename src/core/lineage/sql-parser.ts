import type { DataPlaneSession } from '../data-plane/data-plane.ts';

/** A node of the engine's own parse tree (DuckDB's `json_serialize_sql`), read structurally. */
export type SqlTree = Record<string, unknown>;

/** A SELECT parsed into its tree, or why it could not be. */
export type ParsedSql = { readonly ok: true; readonly statements: readonly SqlTree[] } | { readonly ok: false; readonly message: string };

/** Parses SQL with the engine's own parser. */
export interface SqlParser {
  parse(sql: string): Promise<ParsedSql>;
}

/**
 * A parser that asks the data plane's engine, so lineage reads SQL exactly as
 * the engine that runs it does. Only SELECT statements parse (the engine's
 * serializer takes no other kind). Select-list expressions without an alias
 * get the name the engine gives their result column (`sum(amount)`,
 * `count_star()`), written into their `alias`, so the pure analysis never has
 * to print an expression.
 */
export function createSqlParser(session: Pick<DataPlaneSession, 'query'>): SqlParser {
  return {
    async parse(sql) {
      const [row] = await session.query('SELECT json_serialize_sql($1::VARCHAR) AS tree', [sql]);
      const tree = JSON.parse(String(row?.tree), keepLocationsExact) as { error?: boolean; error_message?: string; statements?: SqlTree[] };
      if (tree.error || !tree.statements) return { ok: false, message: tree.error_message ?? 'the statement could not be parsed' };
      for (const statement of tree.statements) await nameUnnamedExpressions(session, statement);
      return { ok: true, statements: tree.statements };
    },
  };
}

/**
 * The engine marks an unknown location with the largest 64-bit number, which a
 * JS number cannot hold; it would not serialise back. Zero reads as 'start'.
 */
function keepLocationsExact(key: string, value: unknown): unknown {
  return key === 'query_location' && typeof value === 'number' && !Number.isSafeInteger(value) ? 0 : value;
}

async function nameUnnamedExpressions(session: Pick<DataPlaneSession, 'query'>, tree: unknown): Promise<void> {
  const unnamed: SqlTree[] = [];
  collectUnnamed(tree, unnamed);
  for (const expression of unnamed) {
    const single = { error: false, statements: [{ node: { ...emptySelect, select_list: [expression] }, named_param_map: [] }] };
    const [row] = await session.query('SELECT json_deserialize_sql($1::JSON) AS text', [JSON.stringify(single)]).catch(() => [undefined]);
    const text = typeof row?.text === 'string' ? row.text.replace(/^SELECT\s+/i, '').trim() : '';
    if (text) expression.alias = text;
  }
}

/** Select-list entries that are neither a column, a star, nor aliased, at any depth. */
function collectUnnamed(tree: unknown, into: SqlTree[]): void {
  if (Array.isArray(tree)) {
    for (const item of tree) collectUnnamed(item, into);
    return;
  }
  if (!tree || typeof tree !== 'object') return;
  const node = tree as SqlTree;
  if (node.type === 'SELECT_NODE' && Array.isArray(node.select_list)) {
    for (const expression of node.select_list as SqlTree[]) {
      if (!expression.alias && expression.class !== 'COLUMN_REF' && expression.class !== 'STAR') into.push(expression);
    }
  }
  for (const value of Object.values(node)) collectUnnamed(value, into);
}

const emptySelect = {
  type: 'SELECT_NODE',
  modifiers: [],
  cte_map: { map: [] },
  from_table: { type: 'EMPTY', alias: '', sample: null, query_location: 0 },
  where_clause: null,
  group_expressions: [],
  group_sets: [],
  aggregate_handling: 'STANDARD_HANDLING',
  having: null,
  sample: null,
  qualify: null,
};
