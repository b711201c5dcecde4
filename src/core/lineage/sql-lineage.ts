import type { SqlTree } from './sql-parser.ts';

/** One column of a table a query reads. Names are lower case: the engines fold unquoted names. */
export interface ColumnSource {
  readonly table: string;
  readonly column: string;
}

/** A result column and the table columns its values come from (filters and join keys are not counted). */
export interface OutputColumn {
  readonly name: string;
  readonly sources: readonly ColumnSource[];
}

/** What a SELECT reads and where each of its result columns comes from. */
export interface SqlLineage {
  /** Tables read anywhere in the query (joins, subqueries, CTE bodies), CTE names excluded, sorted. */
  readonly tables: readonly string[];
  /** Paths given to the engine's file readers (`read_csv('x.csv')`), sorted. */
  readonly files: readonly string[];
  /** In result order. A `*` over a table whose columns are unknown stays one column named `*`. */
  readonly columns: readonly OutputColumn[];
  /** What could not be resolved, e.g. a column two unknown tables could hold. */
  readonly notes: readonly string[];
}

export interface SqlLineageOptions {
  /** The columns of a table, in order, when known (an upstream output's or a table's). */
  readonly columnsOf?: (table: string) => readonly string[] | undefined;
}

/**
 * Table- and column-level lineage of one SELECT from the engine's parse tree
 * (see sql-parser.ts): CTEs, joins, subqueries, aliases, unions, aggregates
 * and `SELECT *`, which expands through `columnsOf` where the columns are known.
 */
export function sqlLineage(statement: SqlTree, options: SqlLineageOptions = {}): SqlLineage {
  const analysis = new Analysis(options.columnsOf ?? (() => undefined));
  const columns = analysis.query(statement.node as SqlTree, new Map(), undefined);
  return {
    tables: [...analysis.tables].sort(),
    files: [...analysis.files].sort(),
    columns: columns.map((c) => ({ name: c.name, sources: uniqueSources(c.sources) })),
    notes: analysis.notes,
  };
}

interface Column {
  readonly name: string;
  readonly sources: readonly ColumnSource[];
}

/** A FROM item as the select list sees it. */
interface Relation {
  readonly alias: string;
  /** The table it reads, for a base table. */
  readonly table?: string | undefined;
  /** Known columns in order; undefined when the table's columns are not known. */
  readonly columns?: readonly Column[] | undefined;
  /** Columns `*` leaves out: the right side's USING columns, shown once by the engine. */
  readonly hiddenFromStar?: ReadonlySet<string> | undefined;
}

interface Scope {
  readonly relations: readonly Relation[];
  readonly outer: Scope | undefined;
  /** Parameters of the lambdas around an expression (`lambda x: x * 2`): names that are no column. */
  readonly lambdaParameters?: ReadonlySet<string> | undefined;
}

type Ctes = ReadonlyMap<string, readonly Column[] | undefined>;

const lower = (name: string) => name.toLowerCase();

class Analysis {
  readonly tables = new Set<string>();
  readonly files = new Set<string>();
  readonly notes: string[] = [];

  constructor(private readonly columnsOf: (table: string) => readonly string[] | undefined) {}

  /** The result columns of a query node (SELECT, set operation, recursive CTE). */
  query(node: SqlTree, outerCtes: Ctes, outer: Scope | undefined): Column[] {
    const ctes = this.ctes(node, outerCtes, outer);
    switch (node.type) {
      case 'SELECT_NODE':
        return this.select(node, ctes, outer);
      case 'SET_OPERATION_NODE':
      case 'RECURSIVE_CTE_NODE': {
        const left = this.query(node.left as SqlTree, ctes, outer);
        const right = this.query(node.right as SqlTree, ctes, outer);
        return left.map((column, index) => ({ name: column.name, sources: [...column.sources, ...(right[index]?.sources ?? [])] }));
      }
      default:
        this.notes.push(`a ${String(node.type)} query is read for its tables only`);
        this.walkForTables(node, ctes, outer);
        return [];
    }
  }

  private ctes(node: SqlTree, outer: Ctes, scope: Scope | undefined): Ctes {
    const entries = ((node.cte_map as { map?: { key: string; value: { query: { node: SqlTree }; aliases?: string[] } }[] } | undefined)?.map) ?? [];
    if (!entries.length) return outer;
    const ctes = new Map(outer);
    for (const { key, value } of entries) {
      // Registered before its body is read, so a recursive CTE's reference to itself is not a table.
      ctes.set(lower(key), undefined);
      const columns = this.query(value.query.node, ctes, scope);
      ctes.set(lower(key), renamed(columns, value.aliases ?? []));
    }
    return ctes;
  }

  private select(node: SqlTree, ctes: Ctes, outer: Scope | undefined): Column[] {
    const relations = this.from(node.from_table as SqlTree | null, ctes, outer);
    const scope: Scope = { relations, outer };
    for (const key of ['where_clause', 'having', 'qualify']) this.expression(node[key], scope, ctes);
    const columns: Column[] = [];
    for (const item of node.select_list as SqlTree[]) {
      if (item.class === 'STAR' && !item.expr) {
        columns.push(...this.star(item, scope, ctes));
        continue;
      }
      const sources = this.expression(item, scope, ctes);
      columns.push({ name: lower(outputName(item)), sources });
    }
    return columns;
  }

  private from(table: SqlTree | null, ctes: Ctes, outer: Scope | undefined): Relation[] {
    if (!table) return [];
    switch (table.type) {
      case 'EMPTY':
        return [];
      case 'BASE_TABLE': {
        const name = [table.catalog_name, table.schema_name, table.table_name].filter((part) => typeof part === 'string' && part !== '').map((part) => lower(String(part))).join('.');
        const alias = lower(String(table.alias || table.table_name));
        const aliases = (table.column_name_alias as string[] | undefined) ?? [];
        if (!name.includes('.') && ctes.has(name)) {
          const columns = ctes.get(name);
          return [{ alias, columns: columns && renamed(columns, aliases) }];
        }
        this.tables.add(name);
        const known = this.columnsOf(name);
        const columns = known?.map((column) => ({ name: lower(column), sources: [{ table: name, column: lower(column) }] }));
        return [{ alias, table: name, columns: columns && renamed(columns, aliases) }];
      }
      case 'SUBQUERY': {
        const columns = this.query((table.subquery as SqlTree).node as SqlTree, ctes, outer);
        return [{ alias: lower(String(table.alias ?? '')), columns: renamed(columns, (table.column_name_alias as string[] | undefined) ?? []) }];
      }
      case 'JOIN': {
        const left = this.from(table.left as SqlTree, ctes, outer);
        const right = this.from(table.right as SqlTree, ctes, outer);
        const using = new Set(((table.using_columns as string[] | undefined) ?? []).map(lower));
        const hidden = using.size ? right.map((relation) => ({ ...relation, hiddenFromStar: using })) : right;
        this.expression(table.condition, { relations: [...left, ...right], outer }, ctes);
        return [...left, ...hidden];
      }
      case 'TABLE_FUNCTION': {
        const call = table.function as SqlTree;
        const [first] = (call.children as SqlTree[] | undefined) ?? [];
        const value = (first?.value as { value?: unknown } | undefined)?.value;
        // The engine's file readers are the read_* table functions; their first argument is the path.
        const file = String(call.function_name).startsWith('read_') && typeof value === 'string' ? value : undefined;
        if (file) this.files.add(file);
        this.expression(call, { relations: [], outer }, ctes);
        return [{ alias: lower(String(table.alias || call.function_name)), table: file === undefined ? undefined : `file:${file}` }];
      }
      default:
        this.notes.push(`a ${String(table.type)} in FROM is read for its tables only`);
        this.walkForTables(table, ctes, outer);
        return [{ alias: lower(String(table.alias ?? '')) }];
    }
  }

  /** Where an expression's value comes from; subqueries inside it add the tables they read. */
  private expression(tree: unknown, scope: Scope, ctes: Ctes): ColumnSource[] {
    if (Array.isArray(tree)) return tree.flatMap((item) => this.expression(item, scope, ctes));
    if (!tree || typeof tree !== 'object') return [];
    const node = tree as SqlTree;
    switch (node.class) {
      case 'COLUMN_REF':
        return this.column((node.column_names as string[]).map(lower), scope);
      case 'SUBQUERY': {
        const columns = this.query((node.subquery as SqlTree).node as SqlTree, ctes, scope);
        const child = this.expression(node.child, scope, ctes);
        // EXISTS yields a boolean from no column; a scalar or IN subquery carries its column's values.
        return node.subquery_type === 'EXISTS' ? [] : [...child, ...(columns[0]?.sources ?? [])];
      }
      case 'STAR':
        // count(*) and COLUMNS(*) inside an expression read rows, not one column.
        return [];
      case 'LAMBDA': {
        const parameters = new Set([...(scope.lambdaParameters ?? []), ...columnNames(node.lhs)]);
        return this.expression(node.expr, { ...scope, lambdaParameters: parameters }, ctes);
      }
      default:
        return Object.values(node).flatMap((value) => this.expression(value, scope, ctes));
    }
  }

  /** Resolves `c`, `t.c` or `s.t.c` against the FROM items, then the enclosing queries'. */
  private column(parts: readonly string[], scope: Scope | undefined): ColumnSource[] {
    const name = parts[parts.length - 1]!;
    if (parts.length === 1 && scope?.lambdaParameters?.has(name)) return [];
    for (let level = scope; level; level = level.outer) {
      const found = parts.length === 1 ? unqualified(name, level.relations) : qualified(parts, level.relations);
      if (found === 'ambiguous') {
        this.notes.push(`column ${parts.join('.')} could come from ${level.relations.map((r) => r.alias).join(' or ')}`);
        return [];
      }
      if (found) return [...found];
    }
    this.notes.push(`column ${parts.join('.')} was not found in the tables the query reads`);
    return [];
  }

  private star(item: SqlTree, scope: Scope, ctes: Ctes): Column[] {
    const from = item.relation_name ? lower(String(item.relation_name)) : undefined;
    const excluded = new Set(((item.exclude_list as unknown[] | undefined) ?? []).map((e) => lower(typeof e === 'string' ? e : String((e as { column_names?: string[] }).column_names?.at(-1) ?? ''))));
    const replaced = new Map(((item.replace_list as { key: string; value: SqlTree }[] | undefined) ?? []).map((r) => [lower(r.key), r.value]));
    const columns: Column[] = [];
    for (const relation of scope.relations) {
      if (from !== undefined && relation.alias !== from && relation.table !== from) continue;
      if (!relation.columns) {
        columns.push({ name: '*', sources: [{ table: relation.table ?? relation.alias, column: '*' }] });
        continue;
      }
      for (const column of relation.columns) {
        if (excluded.has(column.name) || (from === undefined && relation.hiddenFromStar?.has(column.name))) continue;
        const replacement = replaced.get(column.name);
        columns.push(replacement ? { name: column.name, sources: this.expression(replacement, scope, ctes) } : column);
      }
    }
    return columns;
  }

  /** For parts of a query this analysis does not model: every base table and subquery inside still counts as read. */
  private walkForTables(tree: unknown, ctes: Ctes, outer: Scope | undefined): void {
    if (Array.isArray(tree)) return tree.forEach((item) => this.walkForTables(item, ctes, outer));
    if (!tree || typeof tree !== 'object') return;
    const node = tree as SqlTree;
    if (node.type === 'BASE_TABLE' || node.type === 'TABLE_FUNCTION') {
      this.from(node, ctes, outer);
      return;
    }
    if (node.type === 'SELECT_NODE' || node.type === 'SET_OPERATION_NODE') {
      this.query(node, ctes, outer);
      return;
    }
    for (const value of Object.values(node)) this.walkForTables(value, ctes, outer);
  }
}

function unqualified(name: string, relations: readonly Relation[]): readonly ColumnSource[] | 'ambiguous' | undefined {
  // The left-most relation that has the column wins, as a USING join shows it.
  for (const relation of relations) {
    const column = relation.columns?.find((c) => c.name === name);
    if (column) return column.sources;
  }
  const open = relations.filter(isOpen);
  if (open.length === 1) return openSources(open[0]!, name);
  return open.length > 1 ? 'ambiguous' : undefined;
}

/** A relation that may hold columns not named in it: unknown columns, or a `*` over unknown columns. */
function isOpen(relation: Relation): boolean {
  return !relation.columns || relation.columns.some((c) => c.name === '*');
}

/** A column of an open relation: the same name in the tables its unknown columns come from. */
function openSources(relation: Relation, name: string): ColumnSource[] {
  if (!relation.columns) return relation.table ? [{ table: relation.table, column: name }] : [];
  return relation.columns.filter((c) => c.name === '*').flatMap((c) => c.sources.map((s) => ({ table: s.table, column: name })));
}

function qualified(parts: readonly string[], relations: readonly Relation[]): readonly ColumnSource[] | undefined {
  const name = parts[parts.length - 1]!;
  const qualifier = parts.slice(0, -1).join('.');
  const relation = relations.find((r) => r.alias === qualifier || r.table === qualifier);
  if (!relation) {
    // `t.c` can also be a struct field `c` of a column `t`.
    const struct = unqualified(parts[0]!, relations);
    return struct === 'ambiguous' ? undefined : struct;
  }
  const column = relation.columns?.find((c) => c.name === name);
  if (column) return column.sources;
  return isOpen(relation) ? openSources(relation, name) : undefined;
}

/** The names of the column references in a tree: a lambda's parameters. */
function columnNames(tree: unknown): string[] {
  if (Array.isArray(tree)) return tree.flatMap(columnNames);
  if (!tree || typeof tree !== 'object') return [];
  const node = tree as SqlTree;
  if (node.class === 'COLUMN_REF') return [lower((node.column_names as string[]).at(-1)!)];
  return Object.values(node).flatMap(columnNames);
}

function renamed(columns: readonly Column[], aliases: readonly string[]): Column[] {
  return columns.map((column, index) => (aliases[index] ? { ...column, name: lower(aliases[index]) } : column));
}

/** The result column's name: its alias (the parser names unaliased expressions), or a column's own name. */
function outputName(item: SqlTree): string {
  if (item.alias) return String(item.alias);
  if (item.class === 'COLUMN_REF') return (item.column_names as string[]).at(-1)!;
  return String(item.type).toLowerCase();
}

function uniqueSources(sources: readonly ColumnSource[]): ColumnSource[] {
  const seen = new Map(sources.map((s) => [`${s.table}\u0000${s.column}`, s]));
  return [...seen.values()].sort((a, b) => a.table.localeCompare(b.table) || a.column.localeCompare(b.column));
}
