import type { Column, Row } from '../data-plane/data-plane.ts';
import type { Logger } from '../run/logger.ts';

/** An upstream block's output, as a TypeScript block receives it. */
export interface TableHandle<R extends Row = Row> {
  /** The upstream block's name (also its table name in SQL). */
  readonly name: string;
  readonly columns: readonly Column[];
  readonly rowCount: number;
  /** Iterates the rows in batches (arrays of plain objects); memory stays bounded. */
  batches(options?: { batchSize?: number }): AsyncIterable<R[]>;
  /** Iterates row by row. */
  rows(): AsyncIterable<R>;
  /**
   * Reads every row into memory. Refuses more than `limit` rows (default
   * 1,000,000) so a large input fails clearly instead of exhausting memory.
   */
  collect(options?: { limit?: number }): Promise<R[]>;
}

/** A query for the data plane, returned by a block instead of rows. */
export interface SqlQuery {
  readonly kind: 'sluice.sql';
  readonly text: string;
}

/** A named connection as a TypeScript block sees it. */
export interface ConnectionClient {
  readonly name: string;
  readonly type: string;
  /** Runs a query in the connection; parameters bind as $1, $2, ... */
  query(sql: string, params?: readonly unknown[]): Promise<Row[]>;
}

export interface BlockContext {
  readonly runId: string;
  readonly pipeline: string;
  readonly block: string;
  /** The run's logical date (YYYY-MM-DD), when it has one. */
  readonly logicalDate: string | undefined;
  /** The data the run covers: [start, end), ISO times; with no logical date, undefined. */
  readonly dataInterval: { readonly start: string; readonly end: string } | undefined;
  readonly vars: Readonly<Record<string, string | number | boolean>>;
  readonly log: Logger;
  readonly signal: AbortSignal;
  /** Opens (once per run) a connection named in connections.yaml. */
  connection(name: string): Promise<ConnectionClient>;
  /** Runs SQL over the upstream tables in the data plane and returns the rows (small results). */
  query(sql: string, params?: readonly unknown[]): Promise<Row[]>;
  /** Builds a query to return as the block's output, run in the data plane: `return ctx.sql\`SELECT ...\``. */
  sql(strings: TemplateStringsArray, ...values: never[]): SqlQuery;
}

/** What a block may return: rows (or batches of rows), in any iterable form, or a query. */
export type BlockOutput<R extends Row = Row> =
  | readonly R[]
  | Iterable<R | readonly R[]>
  | AsyncIterable<R | readonly R[]>
  | SqlQuery
  | void
  | undefined;

export type BlockInputs = Record<string, TableHandle>;

export type BlockFunction<I extends BlockInputs = BlockInputs, R extends Row = Row> = (
  inputs: I,
  context: BlockContext,
) => BlockOutput<R> | Promise<BlockOutput<R>>;

export interface BlockDefinition<I extends BlockInputs = BlockInputs, R extends Row = Row> {
  readonly kind: 'sluice.block';
  readonly role: 'loader' | 'transformer' | 'exporter' | 'test' | 'sensor';
  readonly run: BlockFunction<I, R>;
  /** Output column types (e.g. `{ amount: 'DECIMAL(12,2)', day: 'DATE' }`); others are inferred. */
  readonly schema?: Readonly<Record<string, string>> | undefined;
}

export interface BlockSpec<I extends BlockInputs, R extends Row> {
  readonly run: BlockFunction<I, R>;
  readonly schema?: Readonly<Record<string, string>>;
}

function define(role: BlockDefinition['role']) {
  return <I extends BlockInputs = BlockInputs, R extends Row = Row>(
    spec: BlockSpec<I, R> | BlockFunction<I, R>,
  ): BlockDefinition<I, R> => {
    const { run, schema } = typeof spec === 'function' ? { run: spec, schema: undefined } : spec;
    return { kind: 'sluice.block', role, run, schema };
  };
}

/**
 * A block that brings data in. Return rows, batches or a query.
 * @example
 * export default defineLoader(async function* () {
 *   for (let page = 1; page <= 3; page++) yield await fetchPage(page);
 * });
 */
export const defineLoader = define('loader');

/**
 * A block that reshapes its upstream tables.
 * @example
 * export default defineTransformer(async function* ({ orders }) {
 *   for await (const batch of orders.batches()) yield batch.filter((o) => o.amount > 0);
 * });
 */
export const defineTransformer = define('transformer');

/** A block that sends its upstream tables somewhere; its return value is optional. */
export const defineExporter = define('exporter');

/** A block that checks its inputs: throw (or return failing rows) to fail the run. */
export const defineTest = define('test');

/**
 * A block that waits for a condition: it is called again every
 * `poke_interval` until it returns true (or its timeout fails the run).
 * @example
 * export default defineSensor(async (_, ctx) => (await fetch(`https://partner.example/ready/${ctx.logicalDate}`)).ok);
 */
export function defineSensor<I extends BlockInputs = BlockInputs>(check: (inputs: I, context: BlockContext) => boolean | Promise<boolean>): BlockDefinition<I> {
  return { kind: 'sluice.block', role: 'sensor', run: check as unknown as BlockFunction<I> };
}

export function isBlockDefinition(value: unknown): value is BlockDefinition {
  return typeof value === 'object' && value !== null && (value as { kind?: unknown }).kind === 'sluice.block';
}

export function isSqlQuery(value: unknown): value is SqlQuery {
  return typeof value === 'object' && value !== null && (value as { kind?: unknown }).kind === 'sluice.sql';
}
