import path from 'node:path';
import type { DataPlaneSession, StoredOutput } from '../data-plane/data-plane.ts';
import { SluiceError, toSluiceError } from '../errors.ts';
import { formatDuration } from '../pipeline/duration.ts';
import { quoteIdent } from '../sql/quote.ts';
import { jsonSafeRow, type CheckResult } from './check-result.ts';
import { isRowCheck, type CheckSpec } from './check-spec.ts';
import { failingRowPredicate, newestValueSql, SqlParams, type RelationshipSource } from './check-sql.ts';

export interface EvaluateRequest {
  readonly session: DataPlaneSession;
  readonly block: string;
  /** The pipeline file, for errors that point at a check. */
  readonly file: string;
  readonly output: StoredOutput;
  readonly checks: readonly CheckSpec[];
  /** What freshness is measured against: the end of the run's data interval, or its logical date. */
  readonly reference: Date;
  readonly relationshipSource: (check: Extract<CheckSpec, { kind: 'relationships' }>) => RelationshipSource;
  /** Move the rows that fail quarantine checks out of the output; without it they only count as failures. */
  readonly quarantine: boolean;
  readonly signal?: AbortSignal | undefined;
}

export interface Evaluation {
  readonly results: readonly CheckResult[];
  /** The output the downstream blocks read: the good rows when rows were quarantined. */
  readonly output: StoredOutput;
  /** The failing rows, with the names of the checks they failed, when any were moved. */
  readonly quarantined?: StoredOutput | undefined;
}

/** Name of the column that tells, in `<block>__quarantine`, which checks a row failed. */
export const failedChecksColumn = 'failed_checks';
const sampleSize = 5;

/**
 * Runs a block's checks on its stored output. Every row check and every
 * row_count and freshness check is answered by one pass over the output;
 * samples are read only for checks that failed, and sql checks run as written.
 * Rows that fail a quarantine check are moved out first, so the other checks
 * judge the rows that flow on.
 */
export async function evaluateChecks(request: EvaluateRequest): Promise<Evaluation> {
  const { session, output, checks } = request;
  const params = new SqlParams();
  const source = params.add(output.location);
  const context = { block: request.block, file: request.file, columns: output.columns, params, relationshipSource: request.relationshipSource };
  const flags = new Map<CheckSpec, string>();
  const predicates: string[] = [];
  for (const check of checks.filter(isRowCheck).filter((c) => c.kind !== 'sql')) {
    const flag = quoteIdent(`__sluice_check_${flags.size}`);
    flags.set(check, flag);
    predicates.push(`coalesce(${failingRowPredicate(check, context)}, false) AS ${flag}`);
  }
  const quarantineFlags = [...flags].filter(([c]) => c.severity === 'quarantine').map(([, flag]) => flag);
  const moved = quarantineFlags.length ? `(${quarantineFlags.join(' OR ')})` : 'false';
  const keep = `NOT ${moved}`;
  const flagged = `WITH flagged AS (SELECT *${predicates.map((p) => `, ${p}`).join('')} FROM read_parquet(${source}) AS t)`;
  const plain = flags.size ? `* EXCLUDE (${[...flags.values()].join(', ')})` : '*';

  const measures = [`count(*) AS "rows"`, `count(*) FILTER (WHERE ${keep}) AS "kept"`];
  checks.forEach((check, i) => {
    const flag = flags.get(check);
    if (flag) measures.push(`count(*) FILTER (WHERE ${flag}${check.severity === 'quarantine' ? '' : ` AND ${keep}`}) AS "c${i}"`);
    if (check.kind === 'freshness') {
      const newest = newestValueSql(check, context, keep);
      measures.push(`${newest.epochMs} AS "f${i}"`, `${newest.text} AS "t${i}"`);
    }
  });
  const [counts] = await guarded(request, () => session.query(`${flagged} SELECT ${measures.join(', ')} FROM flagged`, params.values));
  const number = (key: string): number => Number(counts?.[key] ?? 0);
  const kept = number('kept');

  // Samples are read before any rows move: a quarantine check's failing rows leave the output.
  const samples = new Map<CheckSpec, Record<string, unknown>[]>();
  for (const [i, check] of checks.entries()) {
    const flag = flags.get(check);
    if (!flag || !number(`c${i}`)) continue;
    const rows = await guarded(request, () => session.query(`${flagged} SELECT ${plain} FROM flagged WHERE ${flag}${check.severity === 'quarantine' ? '' : ` AND ${keep}`} LIMIT ${sampleSize}`, params.values));
    samples.set(check, rows.map(jsonSafeRow));
  }

  let current = output;
  let quarantined: StoredOutput | undefined;
  if (request.quarantine && kept < number('rows')) {
    ({ good: current, quarantined } = await moveFailingRows(request, { flagged, plain, keep, moved, params, flags }));
    if (current.rows !== kept || current.rows + quarantined.rows !== number('rows')) {
      throw new SluiceError('check.quarantine_mismatch', `block '${request.block}': quarantine kept ${current.rows} and moved ${quarantined.rows} of ${number('rows')} rows; the counts must add up, so the block fails`);
    }
  }

  const results: CheckResult[] = [];
  for (const [i, check] of checks.entries()) {
    const base = { name: check.name, kind: check.kind, severity: check.severity };
    const flag = flags.get(check);
    if (flag) {
      const failing = number(`c${i}`);
      const sample = samples.get(check);
      results.push({ ...base, status: failing ? 'failed' : 'passed', failingRows: failing, message: rowMessage(check, failing), ...(sample ? { sample } : {}) });
    } else if (check.kind === 'row_count') {
      const tooFew = check.min !== undefined && kept < check.min;
      const tooMany = check.max !== undefined && kept > check.max;
      const expected = [check.min !== undefined ? `at least ${check.min}` : '', check.max !== undefined ? `at most ${check.max}` : ''].filter(Boolean).join(' and ');
      results.push({ ...base, status: tooFew || tooMany ? 'failed' : 'passed', message: `${kept} rows; expected ${expected}` });
    } else if (check.kind === 'freshness') {
      results.push({ ...base, ...freshness(check, counts?.[`f${i}`], counts?.[`t${i}`], request.reference) });
    } else if (check.kind === 'sql') {
      results.push({ ...base, ...(await customSql(request, check, current)) });
    }
  }
  return { results, output: current, ...(quarantined ? { quarantined } : {}) };
}

interface FlaggedQuery {
  readonly flagged: string;
  readonly plain: string;
  readonly keep: string;
  readonly moved: string;
  readonly params: SqlParams;
  readonly flags: ReadonlyMap<CheckSpec, string>;
}

/** Writes the failing rows to `<block>__quarantine` beside the output, then the good rows over the output. */
async function moveFailingRows(request: EvaluateRequest, query: FlaggedQuery): Promise<{ good: StoredOutput; quarantined: StoredOutput }> {
  const { session, output, signal } = request;
  // The check names bind after the flags' own values, for this one statement only.
  const values = [...query.params.values];
  const names = [...query.flags]
    .filter(([c]) => c.severity === 'quarantine')
    .map(([check, flag]) => `CASE WHEN ${flag} THEN $${values.push(check.name)} END`);
  const location = path.join(path.dirname(output.location), `${request.block}__quarantine.parquet`);
  const quarantined = await guarded(request, () =>
    session.storeQuery(`${query.flagged} SELECT ${query.plain}, concat_ws(', ', ${names.join(', ')}) AS ${quoteIdent(failedChecksColumn)} FROM flagged WHERE ${query.moved}`, location, signal, values),
  );
  // The output is rewritten in place: its file is replaced only once the good rows are complete.
  const good = await guarded(request, () => session.storeQuery(`${query.flagged} SELECT ${query.plain} FROM flagged WHERE ${query.keep}`, output.location, signal, query.params.values));
  return { good, quarantined };
}

async function customSql(request: EvaluateRequest, check: Extract<CheckSpec, { kind: 'sql' }>, output: StoredOutput): Promise<Pick<CheckResult, 'status' | 'failingRows' | 'message' | 'sample'>> {
  // The check's query reads the output under the block's own name, as a downstream SQL block would.
  await request.session.attach(request.block, output);
  // The closing parenthesis goes on a line of its own, so a trailing `-- comment` cannot swallow it.
  const query = `${check.sql.trim().replace(/;$/, '')}\n`;
  const [count] = await guarded(request, () => request.session.query(`SELECT count(*) AS n FROM (${query})`), check);
  const failing = Number(count?.n ?? 0);
  if (!failing) return { status: 'passed', failingRows: 0, message: 'the query returned no rows' };
  const sample = await guarded(request, () => request.session.query(`SELECT * FROM (${query}) LIMIT ${sampleSize}`), check);
  return { status: 'failed', failingRows: failing, message: `the query returned ${failing} row${failing === 1 ? '' : 's'}`, sample: sample.map(jsonSafeRow) };
}

const freshnessMessage = /^newest (.+?) is (.+?)(, \S+ before \S+ \(allowed [^)]*\)| \(allowed [^)]*\))$/;

/**
 * The column a freshness check's message names and the message with its
 * newest value replaced by `marker`: the one check message that quotes a
 * value, hidden where the column holds personal data (docs/pii.md).
 */
export function freshnessMessageParts(message: string): { readonly column: string; readonly withValue: (marker: string) => string } | undefined {
  const match = freshnessMessage.exec(message);
  if (!match) return undefined;
  const [, column, , rest] = match;
  return { column: column!, withValue: (marker) => `newest ${column!} is ${marker}${rest!}` };
}

function freshness(check: Extract<CheckSpec, { kind: 'freshness' }>, epochMs: unknown, text: unknown, reference: Date): Pick<CheckResult, 'status' | 'message'> {
  if (epochMs === null || epochMs === undefined) return { status: 'failed', message: `${check.column} has no values, so nothing is fresh` };
  const age = reference.getTime() - Number(epochMs);
  const allowed = `allowed ${formatDuration(check.maxAgeMs)}`;
  if (age > check.maxAgeMs) return { status: 'failed', message: `newest ${check.column} is ${String(text)}, ${formatDuration(age)} before ${reference.toISOString()} (${allowed})` };
  return { status: 'passed', message: `newest ${check.column} is ${String(text)} (${allowed})` };
}

function rowMessage(check: CheckSpec, failing: number): string {
  const rows = `${failing} row${failing === 1 ? '' : 's'}`;
  switch (check.kind) {
    case 'not_null':
      return failing ? `${rows} with a null ${check.columns.join(' or ')}` : `no nulls in ${check.columns.join(', ')}`;
    case 'unique':
      return failing ? `${rows} share a ${check.columns.join(' + ')} with another row` : `${check.columns.join(' + ')} is unique`;
    case 'accepted_values':
      return failing ? `${rows} with a ${check.column} outside ${check.values.join(', ')}` : `every ${check.column} is one of ${check.values.join(', ')}`;
    case 'range': {
      const bounds = check.max === undefined ? `below ${check.min}` : check.min === undefined ? `above ${check.max}` : `outside ${check.min}..${check.max}`;
      return `${failing ? rows : 'no rows'} with ${check.column} ${bounds}`;
    }
    case 'regex':
      return `${failing ? rows : 'no rows'} with a ${check.column} not matching ${check.pattern}`;
    case 'relationships':
      return `${failing ? rows : 'no rows'} with a ${check.column} missing from ${check.to ?? check.file}.${check.field}`;
    default:
      return rows;
  }
}

/** A query a check made that the engine refused (a bad regex, a missing field) fails naming the check. */
async function guarded<T>(request: EvaluateRequest, work: () => Promise<T>, check?: CheckSpec): Promise<T> {
  try {
    return await work();
  } catch (error) {
    const problem = toSluiceError(error);
    if (problem.code.startsWith('check.') || request.signal?.aborted) throw error;
    const which = check ? `check '${check.name}'` : `the checks`;
    throw new SluiceError('check.query_failed', `${which} of block '${request.block}' could not run: ${problem.message}`, {
      cause: error,
      kind: 'config',
      location: { file: request.file, ...(check?.line ? { line: check.line } : {}), block: request.block },
    });
  }
}
