import type { DataPlaneSession, StoredOutput } from '../data-plane/data-plane.ts';
import type { DriftEventRecord } from '../run-store/run-store.ts';
import type { Logger } from '../run/logger.ts';
import { quoteIdent, quoteLiteral } from '../sql/quote.ts';
import { jsonSafeRow } from './check-result.ts';
import type { DriftFinding } from './compare-fingerprints.ts';
import { valueShapeSql } from './fingerprint-output.ts';

const sampleSize = 3;

/** The values that break a column's established shape, as SQL over the output's rows; none for drift no row can be blamed for. */
export function breaksShape(finding: DriftFinding): string | undefined {
  if (!finding.establishedShape || finding.schema) return undefined;
  const column = quoteIdent(finding.column);
  return `(${column} IS NOT NULL AND ${valueShapeSql(column)} <> ${quoteLiteral(finding.establishedShape)})`;
}

/** SQL text saying why a row breaks the finding's shape: "order_date: 99/99/9999 does not match the established 9999-99-99". */
export function shapeReasonSql(finding: DriftFinding): string {
  const column = quoteIdent(finding.column);
  return `${quoteLiteral(`${finding.column}: `)} || ${valueShapeSql(column)} || ${quoteLiteral(` does not match the established ${finding.establishedShape}`)}`;
}

/** How many rows show the drift, counted over the whole output, and a few of them. */
export async function gatherEvidence(session: DataPlaneSession, output: StoredOutput, finding: DriftFinding): Promise<Pick<DriftEventRecord, 'rows' | 'samples'>> {
  const column = quoteIdent(finding.column);
  const where = finding.kind === 'null_rate_jump' ? `${column} IS NULL` : finding.kind === 'added_column' ? `${column} IS NOT NULL` : breaksShape({ ...finding, schema: false });
  if (!where) return {};
  const source = `read_parquet(${quoteLiteral(output.location)})`;
  const [counted = {}] = await session.query(`SELECT count(*) AS n FROM ${source} WHERE ${where}`);
  const samples = await session.query(`SELECT * FROM ${source} WHERE ${where} LIMIT ${sampleSize}`);
  return { rows: Number(counted.n ?? 0), samples: samples.map(jsonSafeRow) };
}

/** Logs each drift of a block (or stream) as its action left it: `policy` says what accepted it, `setAsideIn` where discarded rows went. */
export function logDrift(logger: Logger, block: string, events: readonly DriftEventRecord[], said: { readonly policy: string; readonly setAsideIn: string }): void {
  for (const e of events) {
    const line = `drift in ${block}: ${e.message}${e.rows ? ` (${e.rows} row${e.rows === 1 ? '' : 's'})` : ''}`;
    if (e.action === 'accepted') logger.info(`${line}; accepted as the new baseline (${said.policy})`);
    else if (e.action === 'discarded') logger.warn(`${line}; moved to ${said.setAsideIn}`);
    else if (e.action === 'warned') logger.warn(line);
  }
}

/** One line per refused drift, with its rows and a few of them, for the error that fails a block or stream. */
export function failedDriftLines(failed: readonly DriftEventRecord[]): string[] {
  return failed.map((e) => {
    const samples = e.samples?.length ? `; e.g. ${e.samples.map((row) => JSON.stringify(row)).join(', ')}` : '';
    return `${e.message}${e.rows ? ` in ${e.rows} row${e.rows === 1 ? '' : 's'}` : ''}${samples}`;
  });
}

/** "drift: 1 warned, 2 discarded", for a block run's summary. */
export function describeDrift(events: readonly DriftEventRecord[]): string {
  const count = (action: DriftEventRecord['action']): number => events.filter((e) => e.action === action).length;
  const parts = (['warned', 'failed', 'accepted', 'discarded'] as const).filter((a) => count(a)).map((a) => `${count(a)} ${a}`);
  return `drift: ${parts.join(', ')}`;
}
