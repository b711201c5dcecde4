import { pathToFileURL } from 'node:url';
import { SluiceError } from '../errors.ts';
import { isBlockDefinition, isSqlQuery, type BlockContext, type BlockDefinition, type BlockInputs, type ConnectionClient, type TableHandle } from '../blocks/block-api.ts';
import type { Row } from '../data-plane/data-plane.ts';
import { createSqlParser } from '../lineage/sql-parser.ts';
import { touchedDatasets, type SentStatement } from '../lineage/touched-datasets.ts';
import type { TsBlock } from '../pipeline/pipeline.ts';
import { quoteIdent } from '../sql/quote.ts';
import { rowsIn, type BlockResult, type BlockRunContext, type BlockRunner } from './block-runner.ts';
import { ensureBlockLoaders } from './block-loaders.ts';
import { captureBlockOutput } from './capture-block-output.ts';
import { roleOf } from './role-outcome.ts';
import { runUserCode } from './run-user-code.ts';

const defaultCollectLimit = 1_000_000;
const outputBatch = 2048;

/** Runs a TypeScript block: loads its module, hands it table handles, stores what it returns. */
export const runTsBlock: BlockRunner<TsBlock> = async (block, context) => {
  // What the block prints, even while its module loads, goes to its logs, masked.
  return captureBlockOutput(context.logger, async () => runBlock(await loadBlockModule(block, context.runId), block, context));
};

async function runBlock(definition: BlockDefinition, block: TsBlock, context: BlockRunContext): Promise<BlockResult> {
  const inputs: BlockInputs = Object.fromEntries(context.inputs.map((input) => [input.name, tableHandle(input.name, input.output, context)]));
  const sent = new Map<string, SentStatement>();
  const blockContext = createBlockContext(block, context, sent);
  const result = await runUserCode(block.name, block.file, async (): Promise<BlockResult> => {
    const result = await definition.run(inputs, blockContext);
    const role = definition.role;
    if (roleOf(block, { role }) === 'sensor') {
      if (typeof result !== 'boolean') throw new SluiceError('block.bad_return', `a sensor returns true when its condition holds and false otherwise; it returned ${typeof result}`);
      return { rowsIn: rowsIn(context.inputs), ready: result, role };
    }
    const types = definition.schema ?? {};
    if (isSqlQuery(result)) {
      return { output: await context.session.storeQuery(result.text, context.outputLocation, context.signal), rowsIn: rowsIn(context.inputs), role };
    }
    if (result === undefined || result === null) {
      return { rowsIn: rowsIn(context.inputs), summary: 'returned no rows', role };
    }
    if (typeof result !== 'object' || !(Symbol.iterator in result || Symbol.asyncIterator in result)) {
      throw new SluiceError('block.bad_return', `a block returns rows (an array or iterable of objects), a query (ctx.sql) or nothing; it returned ${typeof result}`);
    }
    const output = await context.session.storeRows(toBatches(result as Iterable<unknown> | AsyncIterable<unknown>, context.signal), context.outputLocation, types);
    return { output, rowsIn: rowsIn(context.inputs), role };
  });
  // Read once the block is done, so the parser never shares the session with the block's own reads.
  const datasets = sent.size ? await touchedDatasets(sent.values(), createSqlParser(context.session)) : [];
  return datasets.length ? { ...result, datasets } : result;
}

async function loadBlockModule(block: TsBlock, runId: string): Promise<BlockDefinition> {
  // A query string gives each run a fresh copy of the block, so edits between runs in one process are seen.
  const url = `${pathToFileURL(block.file).href}?sluice-block=${encodeURIComponent(runId)}`;
  let module: { default?: unknown };
  try {
    await ensureBlockLoaders();
    module = (await import(url)) as { default?: unknown };
  } catch (error) {
    throw compileError(error, block);
  }
  const exported = module.default;
  if (isBlockDefinition(exported)) return exported;
  if (typeof exported === 'function') return { kind: 'sluice.block', role: block.role, run: exported as BlockDefinition['run'] };
  throw new SluiceError(
    'block.no_default_export',
    `the block's default export must be a block (export default defineTransformer(...)) or a function; found ${exported === undefined ? 'none' : typeof exported}`,
    { kind: 'config', location: { file: block.file, block: block.name } },
  );
}

/** Syntax errors come from the TypeScript loader (esbuild) with a location; keep it. */
function compileError(error: unknown, block: TsBlock): SluiceError {
  const err = error as { errors?: { text: string; location?: { file: string; line: number; column: number; lineText?: string } }[]; message?: string };
  const first = err.errors?.[0];
  if (first) {
    return new SluiceError('block.compile_failed', `does not compile: ${first.text}${first.location?.lineText ? `\n    ${first.location.lineText.trim()}` : ''}`, {
      kind: 'run',
      location: { block: block.name, file: block.file, ...(first.location ? { line: first.location.line, column: first.location.column + 1 } : {}) },
      cause: error,
    });
  }
  const message = err.message ?? String(error);
  // Across the loader thread the error arrives as text: "file:line:col: ERROR: reason".
  const esbuild = /:(\d+):(\d+): ERROR: (.*)$/m.exec(message);
  if (esbuild) {
    return new SluiceError('block.compile_failed', `does not compile: ${esbuild[3]}`, {
      location: { block: block.name, file: block.file, line: Number(esbuild[1]), column: Number(esbuild[2]) + 1 },
      cause: error,
    });
  }
  const at = /:(\d+):(\d+)/.exec(message);
  return new SluiceError('block.load_failed', `cannot load: ${message.split('\n')[0]}`, {
    location: { block: block.name, file: block.file, ...(at ? { line: Number(at[1]), column: Number(at[2]) } : {}) },
    cause: error,
  });
}

function tableHandle(name: string, output: { rows: number; columns: readonly { name: string; type: string }[] }, context: BlockRunContext): TableHandle {
  // JS sees DECIMAL as a number anyway; letting the engine convert is many times faster than per value in JS.
  const decimals = output.columns.filter((c) => c.type.startsWith('DECIMAL'));
  const replace = decimals.map((c) => `CAST(${quoteIdent(c.name)} AS DOUBLE) AS ${quoteIdent(c.name)}`).join(', ');
  const select = `SELECT *${replace ? ` REPLACE (${replace})` : ''} FROM ${quoteIdent(name)}`;
  return {
    name,
    columns: output.columns,
    rowCount: output.rows,
    batches: (options = {}) => context.session.stream(select, { batchSize: options.batchSize ?? outputBatch, signal: context.signal, expectedRows: output.rows }),
    async *rows() {
      for await (const batch of context.session.stream(select, { signal: context.signal, expectedRows: output.rows })) yield* batch;
    },
    async collect(options = {}) {
      const limit = options.limit ?? defaultCollectLimit;
      if (output.rows > limit) {
        throw new SluiceError('block.collect_too_large', `${name} has ${output.rows} rows, more than collect()'s limit of ${limit}; iterate with batches() instead`);
      }
      const all: Row[] = [];
      for await (const batch of context.session.stream(select, { signal: context.signal, expectedRows: output.rows })) for (const row of batch) all.push(row);
      return all;
    },
  };
}

/** The block's context; each distinct statement it sends to a connection is kept in `sent`, for lineage. */
function createBlockContext(block: TsBlock, context: BlockRunContext, sent: Map<string, SentStatement>): BlockContext {
  const clients = new Map<string, ConnectionClient>();
  return {
    runId: context.runId,
    pipeline: context.pipeline.name,
    block: block.name,
    logicalDate: context.logicalDate,
    dataInterval: context.dataInterval && { start: context.dataInterval.start.toISOString(), end: context.dataInterval.end.toISOString() },
    vars: context.variables,
    log: context.logger,
    signal: context.signal,
    async connection(name) {
      const existing = clients.get(name);
      if (existing) return existing;
      const { connection, connector } = await context.connections.get(name);
      const type = connector.kind;
      const query = connection.query?.bind(connection);
      if (!query) throw new SluiceError('connection.no_query', `connection '${name}' (${type}) does not run queries`);
      const client: ConnectionClient = {
        name,
        type,
        query: (sql, params) => {
          const key = `${name}\u0000${sql}`;
          if (!sent.has(key)) sent.set(key, { connection: name, sql });
          return query(sql, params);
        },
      };
      clients.set(name, client);
      return client;
    },
    query: (sql, params) => context.session.query(sql, params),
    sql(strings, ...values) {
      if (values.length) throw new SluiceError('block.sql_values', 'ctx.sql takes no ${} values; read variables in SQL with getvariable(\'name\')');
      return { kind: 'sluice.sql', text: strings.join('') };
    },
  };
}

/**
 * Regroups whatever a block yields into batches: an array yielded is a batch
 * as it is; single rows are gathered so the writer always works per batch.
 */
async function* toBatches(source: Iterable<unknown> | AsyncIterable<unknown>, signal: AbortSignal): AsyncIterable<Row[]> {
  if (Array.isArray(source) && (source.length === 0 || !Array.isArray(source[0]))) {
    for (let i = 0; i < source.length; i += outputBatch * 8) yield source.slice(i, i + outputBatch * 8) as Row[];
    return;
  }
  let pending: Row[] = [];
  for await (const item of source as AsyncIterable<unknown>) {
    if (signal.aborted) throw signal.reason;
    if (Array.isArray(item)) {
      if (pending.length) {
        yield pending;
        pending = [];
      }
      if (item.length) yield item as Row[];
    } else {
      pending.push(item as Row);
      if (pending.length >= outputBatch) {
        yield pending;
        pending = [];
      }
    }
  }
  if (pending.length) yield pending;
}
