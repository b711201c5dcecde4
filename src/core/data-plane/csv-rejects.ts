import { quoteIdent } from '../sql/quote.ts';
import type { RejectedRow, Row } from './data-plane.ts';
import type { CsvEngine } from './csv-engine.ts';
import { badSql, badValueReason, dateCandidatesSql, type CsvColumnPlan, type CsvValueStyle } from './csv-columns.ts';
import { placeRecords, type CsvQuoting } from './csv-records.ts';

/** Rows the engine itself refused (wrong field count, a value not of a declared type), with their lines. */
export async function engineRejectsOf(engine: CsvEngine, scan: string, limit: number): Promise<RejectedRow[]> {
  try {
    await engine.query('DROP TABLE IF EXISTS reject_errors; DROP TABLE IF EXISTS reject_scans;');
    // count(COLUMNS(*)) makes every column parse; a bare count(*) would skip the bad value.
    await engine.query(`SELECT count(COLUMNS(*)) FROM ${scan}`);
    return await engine.readRejects(limit);
  } catch {
    return [];
  }
}

/** The records (header = 1) the engine refused, per file: the rows after them shift by one each. */
export async function engineRecords(engine: CsvEngine): Promise<Map<string, number[]>> {
  const rows = await engine
    .query(`SELECT DISTINCT s.file_path AS file, e.line AS line FROM reject_errors e JOIN reject_scans s USING (scan_id, file_id) ORDER BY line`)
    .catch(() => []);
  const records = new Map<string, number[]>();
  for (const r of rows) records.set(String(r.file), [...(records.get(String(r.file)) ?? []), Number(r.line)]);
  return records;
}

/** Rows with a value the checks refused, in file order, with the line each starts on. */
export async function checkRejects(
  engine: CsvEngine,
  scan: (...extra: string[]) => string,
  plans: readonly CsvColumnPlan[],
  style: CsvValueStyle,
  limit: number,
  quoting: CsvQuoting,
  header: boolean,
  skipped: Map<string, number[]>,
): Promise<RejectedRow[]> {
  const checked = plans.filter((p) => badSql(p, style) !== undefined);
  if (!checked.length) return [];
  const columns = checked.flatMap((p, i) => [
    `${quoteIdent(p.name)} AS raw_${i}`,
    `${badSql(p, style)} AS bad_${i}`,
    `${dateCandidatesSql(p, style) ?? 'NULL'} AS dates_${i}`,
  ]);
  const rows = await engine.query(
    `SELECT * FROM (SELECT __file, row_number() OVER (PARTITION BY __file) AS __n, ${columns.join(', ')}
       FROM ${scan("filename = '__file'", 'ignore_errors = true', 'parallel = false')})
      WHERE ${checked.map((_, i) => `bad_${i}`).join(' OR ')} ORDER BY __file, __n LIMIT ${Number(limit)}`,
  );
  const byFile = new Map<string, Row[]>();
  for (const r of rows) byFile.set(String(r.__file), [...(byFile.get(String(r.__file)) ?? []), r]);
  const rejects: RejectedRow[] = [];
  for (const [file, found] of byFile) {
    const records = recordsOfRows(found.map((r) => Number(r.__n)), header, skipped.get(file) ?? []);
    const places = await placeRecords(file, quoting, [...records.values()]);
    for (const r of found) {
      const index = checked.findIndex((_, i) => r[`bad_${i}`] === true);
      const plan = checked[index]!;
      const record = records.get(Number(r.__n))!;
      const place = places.get(record);
      const dates = r[`dates_${index}`] as (string | null)[] | null;
      rejects.push({
        file,
        line: place?.line ?? record,
        column: plan.name,
        reason: badValueReason(plan, String(r[`raw_${index}`]), style, dates ?? undefined),
        text: place?.excerpt ?? '',
      });
    }
  }
  return rejects;
}

/** Maps the n-th row the engine returned to its record, skipping the header and the records it refused. */
function recordsOfRows(rows: readonly number[], header: boolean, refused: readonly number[]): Map<number, number> {
  const out = new Map<number, number>();
  const skip = new Set(refused);
  let record = header ? 1 : 0;
  let row = 0;
  for (const wanted of [...rows].sort((a, b) => a - b)) {
    while (row < wanted) {
      record++;
      if (!skip.has(record)) row++;
    }
    out.set(wanted, record);
  }
  return out;
}

/** The engine's field-count message, said as a person would; the column it names is only where it noticed. */
export function inWords(row: RejectedRow): RejectedRow {
  const counts = /Expected Number of Columns: (\d+) Found: (\d+)/.exec(row.reason);
  if (!counts) return row;
  return { ...row, column: undefined, reason: `the row has ${counts[2]} fields where the header has ${counts[1]}` };
}
