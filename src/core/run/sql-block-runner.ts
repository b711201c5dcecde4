import { readFileSync } from 'node:fs';
import { SluiceError } from '../errors.ts';
import type { SqlBlock } from '../pipeline/pipeline.ts';
import { dataPlaneConnectionName } from '../project/connection-spec.ts';
import { fillTemplates } from './templates.ts';
import { connectorContextFor, rowsIn, type BlockRunner } from './block-runner.ts';

/**
 * Runs a SQL block: in the data plane, where upstream outputs are tables named
 * after their blocks, or inside a named connection (ELT pushdown).
 */
export const runSqlBlock: BlockRunner<SqlBlock> = async (block, context) => {
  const sql = stripTrailingSemicolons(readFileSync(block.file, 'utf8'));
  if (!sql.trim()) throw new SluiceError('block.empty_sql', 'the SQL file is empty', { location: { file: block.file, block: block.name } });
  const connectionName = block.connection && fillTemplates(block.connection, context.variables, { file: block.declaredAt.file, line: block.declaredAt.line, block: block.name });
  if (connectionName && connectionName !== dataPlaneConnectionName) {
    const { connection, connector } = await context.connections.get(connectionName);
    if (!connector.capabilities.sql || !connection.runSql) {
      throw new SluiceError('block.sql_unsupported', `connection '${connectionName}' (${connector.kind}) cannot run SQL blocks`, {
        kind: 'config',
        location: { file: block.declaredAt.file, line: block.declaredAt.line, block: block.name },
      });
    }
    const result = await connection.runSql(sql, context.outputLocation, connectorContextFor(block, context)).catch((error: unknown) => {
      throw locateSqlError(error, block, sql);
    });
    return { output: result.output, rowsIn: rowsIn(context.inputs), summary: result.summary };
  }
  try {
    const output = await context.session.storeQuery(sql, context.outputLocation, context.signal);
    return { output, rowsIn: rowsIn(context.inputs) };
  } catch (error) {
    throw locateSqlError(error, block, sql);
  }
};

export function stripTrailingSemicolons(sql: string): string {
  return sql.replace(/[\s;]+$/, '');
}

/** Database errors say `LINE 3:` or `line 3`; turn that into file:line for the block. */
function locateSqlError(error: unknown, block: SqlBlock, sql: string): SluiceError {
  if (error instanceof SluiceError && error.location?.line !== undefined) return error;
  const message = error instanceof Error ? error.message : String(error);
  const lineMatch = /LINE (\d+):/.exec(message) ?? /at line (\d+)/i.exec(message);
  const position = (error as { position?: string }).position;
  let line = lineMatch ? Number(lineMatch[1]) : undefined;
  if (line === undefined && position !== undefined) line = sql.slice(0, Number(position)).split('\n').length;
  const headline = message.split('\n').filter((l) => l.trim() && !/^LINE \d+:/.test(l) && !/^\s*\^\s*$/.test(l))[0] ?? message;
  return new SluiceError(error instanceof SluiceError ? error.code : 'block.sql_failed', headline, {
    cause: error,
    retryable: error instanceof SluiceError ? error.retryable : false,
    location: { file: block.file, block: block.name, ...(line !== undefined ? { line } : {}) },
  });
}
