/**
 * The canonical benchmark, side by side in one run:
 *
 *   npm run bench -- [--rows N] [--runs K] [--only a,b,c] [--skip-to-sql] [--seed S] [--verbose]
 *
 * The job: a messy sales CSV -> parse two date spellings, drop non-positive amounts, add an 8% tax
 * column -> PostgreSQL table
 *   (order_id BIGINT, order_date DATE, customer TEXT, product_id INTEGER, quantity INTEGER,
 *    amount NUMERIC(12,2), tax NUMERIC(12,2)).
 * Duplicate orders are kept (the canonical job does not dedupe).
 *
 * Approaches:
 *   a1  Sluice, transform in SQL         sluice run canonical_sql   (bench/project)
 *   a2  Sluice, transform in TypeScript  sluice run canonical_ts    (bench/project)
 *   b   psql \copy of the already-clean file, one COPY session (file prepared untimed with DuckDB)
 *   c1  pandas read_csv + to_sql                (bench/pandas_to_sql.py; skip with --skip-to-sql)
 *   c2  pandas read_csv + to_sql(method=COPY)   (bench/pandas_copy.py)
 *
 * Every approach must load the same row count, sum(amount) and sum(tax) (plus a date checksum) as a
 * DuckDB reference computed from the input; otherwise MISMATCH and exit code 1. Timings and ratios
 * are reported against the targets but never asserted.
 *
 * PostgreSQL: $SLUICE_BENCH_PG_URL, default postgres://postgres@127.0.0.1:5432/test.
 */
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { DuckDBInstance } from '@duckdb/node-api';
import pg from 'pg';
import { generateSales } from './generate-sales.js';

const BENCH_DIR = dirname(fileURLToPath(import.meta.url));
const REPO_DIR = resolve(BENCH_DIR, '..');
const PROJECT_DIR = join(BENCH_DIR, 'project');
const SLUICE_BIN = join(REPO_DIR, 'bin', 'sluice.js');
const PYTHON = '/usr/bin/python3';
const GNU_TIME = '/usr/bin/time';
const DEFAULT_PG_URL = 'postgres://postgres@127.0.0.1:5432/test';
const CACHE_DIR = join(tmpdir(), 'sluice-bench-cache');
const RSS_POLL_MS = 50;

const TABLE_COLUMNS = `(
  order_id BIGINT,
  order_date DATE,
  customer TEXT,
  product_id INTEGER,
  quantity INTEGER,
  amount NUMERIC(12,2),
  tax NUMERIC(12,2)
)`;

type ApproachKey = 'a1' | 'a2' | 'b' | 'c1' | 'c2';

interface Approach {
  key: ApproachKey;
  label: string;
  table: string;
  /** Reason the approach cannot run here, or null. */
  skip: string | null;
  /** Whether the bench creates the target table before the timed part. */
  precreate: boolean;
  command: (input: Inputs) => { cmd: string; args: string[]; cwd: string };
}

interface Inputs {
  salesFile: string;
  cleanFile: string | null;
}

/** What every approach must agree on. Numbers are kept as normalised decimal text. */
interface Checksums {
  rows: string;
  datedRows: string;
  sumAmount: string;
  sumTax: string;
  dateChecksum: string;
}

interface RunResult {
  ok: boolean;
  wallSeconds: number;
  peakRssKb: number | null;
  checks: Checksums | null;
  error?: string;
}

// ---------------------------------------------------------------------------------------------
// arguments

interface Options {
  rows: number;
  runs: number;
  only: Set<ApproachKey>;
  skipToSql: boolean;
  seed: number;
  verbose: boolean;
  pgUrl: string;
}

function parseCount(text: string, flag: string, min: number): number {
  const n = Number(text.replace(/[_,]/g, ''));
  if (!Number.isInteger(n) || n < min) throw new Error(`${flag} expects an integer >= ${min}, got "${text}"`);
  return n;
}

function parseOptions(argv: string[]): Options {
  const { values } = parseArgs({
    args: argv,
    options: {
      rows: { type: 'string', default: '1000000' },
      runs: { type: 'string', default: '1' },
      only: { type: 'string', default: 'a,b,c' },
      'skip-to-sql': { type: 'boolean', default: false },
      seed: { type: 'string', default: '42' },
      verbose: { type: 'boolean', short: 'v', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
    strict: true,
  });
  if (values.help) {
    console.log(
      'usage: npm run bench -- [--rows N] [--runs K] [--only a,b,c|a1,a2,b,c1,c2] [--skip-to-sql] [--seed S] [--verbose]',
    );
    process.exit(0);
  }
  const only = new Set<ApproachKey>();
  for (const part of values.only.split(',').map((s) => s.trim().toLowerCase()).filter(Boolean)) {
    if (part === 'a') only.add('a1').add('a2');
    else if (part === 'c') only.add('c1').add('c2');
    else if (part === 'a1' || part === 'a2' || part === 'b' || part === 'c1' || part === 'c2') only.add(part);
    else throw new Error(`--only: unknown approach "${part}" (use a, b, c or a1, a2, b, c1, c2)`);
  }
  return {
    rows: parseCount(values.rows, '--rows', 1),
    runs: parseCount(values.runs, '--runs', 1),
    only,
    skipToSql: values['skip-to-sql'],
    seed: parseCount(values.seed, '--seed', 0),
    verbose: values.verbose,
    pgUrl: process.env.SLUICE_BENCH_PG_URL || DEFAULT_PG_URL,
  };
}

// ---------------------------------------------------------------------------------------------
// helpers

/** Decimal text in a canonical form ('-0012.50' -> '-12.5', null -> 'null'), for exact comparison. */
function normDecimal(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  const text = String(value).trim();
  const m = /^([+-]?)(\d*)(?:\.(\d*))?$/.exec(text);
  if (!m) return text;
  const intPart = (m[2] ?? '').replace(/^0+/, '') || '0';
  const frac = (m[3] ?? '').replace(/0+$/, '');
  const zero = intPart === '0' && frac === '';
  return `${m[1] === '-' && !zero ? '-' : ''}${intPart}${frac ? '.' + frac : ''}`;
}

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

const fmtInt = (n: number): string => Math.round(n).toLocaleString('en-US');
const fmtSeconds = (s: number): string => (s < 10 ? s.toFixed(2) : s.toFixed(1)) + ' s';
const fmtMb = (kb: number | null): string => (kb === null ? 'n/a' : `${Math.round(kb / 1024)} MB`);

function tail(text: string, lines = 25): string {
  return text.trimEnd().split('\n').slice(-lines).join('\n');
}

function commandWorks(cmd: string, args: string[]): boolean {
  const r = spawnSync(cmd, args, { stdio: 'ignore' });
  return r.status === 0;
}

function quoteSqlLiteral(s: string): string {
  return `'${s.replace(/'/g, "''")}'`;
}

// ---------------------------------------------------------------------------------------------
// peak memory of a process tree

/** Direct children of a process, from /proc/PID/task/TID/children, else by scanning /proc. */
function childrenOf(pid: number): number[] {
  const out: number[] = [];
  try {
    for (const tid of readdirSync(`/proc/${pid}/task`)) {
      const text = readFileSync(`/proc/${pid}/task/${tid}/children`, 'utf8').trim();
      if (text) for (const c of text.split(/\s+/)) out.push(Number(c));
    }
    return out;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT' || !existsSync(`/proc/${pid}`)) return out;
  }
  // Kernel without the children file: find processes whose parent is pid.
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === pid) out.push(Number(name));
    } catch {
      // process ended meanwhile
    }
  }
  return out;
}

function vmHwmKb(pid: number): number | null {
  try {
    const m = /VmHWM:\s+(\d+)\s*kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : null;
  } catch {
    return null;
  }
}

/**
 * Tracks the high-water mark (VmHWM) of every process in the tree below `rootPid` (the root
 * itself excluded when it is only the GNU time wrapper). The reported peak is the sum over all
 * processes seen of their own VmHWM: exact for a single process, an upper bound for several.
 */
class TreeRssMonitor {
  private readonly hwm = new Map<number, number>();
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly rootPid: number,
    private readonly includeRoot: boolean,
  ) {}

  start(): void {
    this.sample();
    this.timer = setInterval(() => this.sample(), RSS_POLL_MS);
  }

  stop(): number | null {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    if (this.hwm.size === 0) return null;
    let sum = 0;
    for (const kb of this.hwm.values()) sum += kb;
    return sum;
  }

  private sample(): void {
    const stack = this.includeRoot ? [this.rootPid] : childrenOf(this.rootPid);
    const seen = new Set<number>();
    while (stack.length) {
      const pid = stack.pop()!;
      if (seen.has(pid)) continue;
      seen.add(pid);
      const kb = vmHwmKb(pid);
      if (kb !== null && kb > (this.hwm.get(pid) ?? 0)) this.hwm.set(pid, kb);
      stack.push(...childrenOf(pid));
    }
  }
}

interface TimedProcess {
  code: number | null;
  wallSeconds: number;
  peakRssKb: number | null;
  stdout: string;
  stderr: string;
}

/** Run a command, timing wall clock and tracking peak RSS of its whole process tree. */
async function runTimed(cmd: string, args: string[], cwd: string, env: NodeJS.ProcessEnv): Promise<TimedProcess> {
  const useGnuTime = existsSync(GNU_TIME);
  const timeFile = join(CACHE_DIR, `time-${process.pid}-${Date.now()}.txt`);
  const [file, argv] = useGnuTime ? [GNU_TIME, ['-f', '%M', '-o', timeFile, cmd, ...args]] : [cmd, args];

  const started = performance.now();
  const child = spawn(file, argv, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
  const monitor = new TreeRssMonitor(child.pid!, !useGnuTime);
  monitor.start();
  let stdout = '';
  let stderr = '';
  const keep = (s: string, chunk: Buffer): string => (s + chunk.toString('utf8')).slice(-64 * 1024);
  child.stdout.on('data', (c: Buffer) => (stdout = keep(stdout, c)));
  child.stderr.on('data', (c: Buffer) => (stderr = keep(stderr, c)));
  const code = await new Promise<number | null>((res, rej) => {
    child.once('error', rej);
    child.once('close', (c) => res(c));
  });
  const wallSeconds = (performance.now() - started) / 1000;
  let peak = monitor.stop();

  if (useGnuTime) {
    // GNU time's %M (max RSS of the command, in KB) catches a peak right before exit.
    try {
      const text = await readFile(timeFile, 'utf8');
      const lines = text.trim().split('\n');
      const kb = Number(lines[lines.length - 1]);
      if (Number.isFinite(kb)) peak = Math.max(peak ?? 0, kb);
      // Anything else in the file (e.g. "Command exited with non-zero status") belongs to stderr.
      if (lines.length > 1) stderr += '\n' + lines.slice(0, -1).join('\n');
    } catch {
      // no time output (command could not start)
    }
    await rm(timeFile, { force: true });
  }
  return { code, wallSeconds, peakRssKb: peak, stdout, stderr };
}

// ---------------------------------------------------------------------------------------------
// input data, clean file and reference checksums

async function cacheKey(rows: number, seed: number): Promise<string> {
  // Any change to the generator changes the key, so a stale cached file is never reused.
  const source = await readFile(join(BENCH_DIR, 'generate-sales.ts'));
  const hash = createHash('sha256').update(source).digest('hex').slice(0, 12);
  return `sales-${rows}-seed${seed}-${hash}`;
}

async function ensureSalesFile(rows: number, seed: number): Promise<string> {
  await mkdir(CACHE_DIR, { recursive: true });
  const file = join(CACHE_DIR, `${await cacheKey(rows, seed)}.csv`);
  if (existsSync(file)) {
    console.log(`input:  ${fmtInt(rows)} rows, reusing ${file}`);
    return file;
  }
  const partial = `${file}.${process.pid}.partial`;
  const started = performance.now();
  const result = await generateSales({ rows, seed, out: partial });
  await rename(partial, file);
  console.log(
    `input:  generated ${fmtInt(rows)} rows (${fmtInt(result.duplicates)} duplicates, ` +
      `${(result.bytes / 1e6).toFixed(0)} MB) in ${fmtSeconds((performance.now() - started) / 1000)} -> ${file}`,
  );
  return file;
}

const READ_SALES = (file: string): string => `read_csv(${quoteSqlLiteral(file)},
    header = true, delim = ',', quote = '"', escape = '"',
    columns = {order_id: 'BIGINT', order_date: 'VARCHAR', customer: 'VARCHAR',
               product_id: 'INTEGER', quantity: 'INTEGER', amount: 'DECIMAL(12,2)'})`;

const CLEAN_SELECT = (file: string): string => `
  SELECT
    order_id,
    coalesce(try_strptime(order_date, '%Y-%m-%d'), try_strptime(order_date, '%m/%d/%Y'))::DATE AS order_date,
    customer, product_id, quantity, amount,
    round(amount * 0.08, 2)::DECIMAL(12,2) AS tax
  FROM ${READ_SALES(file)}
  WHERE amount > 0`;

/**
 * Reference checksums of the clean result, and (when wanted) the clean file for psql \copy,
 * both computed with DuckDB and cached next to the input. Not timed.
 */
async function prepareReference(salesFile: string, wantClean: boolean): Promise<{ reference: Checksums; cleanFile: string | null }> {
  const base = salesFile.replace(/\.csv$/, '');
  const refFile = `${base}.reference.json`;
  const cleanFile = `${base}.clean.csv`;
  const haveRef = existsSync(refFile);
  const haveClean = existsSync(cleanFile);
  if (haveRef && (!wantClean || haveClean)) {
    return { reference: JSON.parse(await readFile(refFile, 'utf8')) as Checksums, cleanFile: wantClean ? cleanFile : null };
  }

  const started = performance.now();
  const db = await DuckDBInstance.create(':memory:', {
    autoinstall_known_extensions: 'false',
    autoload_known_extensions: 'false',
    preserve_insertion_order: 'false',
    memory_limit: '1GB',
    temp_directory: join(CACHE_DIR, 'duckdb-tmp'),
  });
  const conn = await db.connect();
  try {
    if (!haveRef) {
      const reader = await conn.runAndReadAll(`
        SELECT count(*)::VARCHAR AS rows,
               count(order_date)::VARCHAR AS dated_rows,
               sum(amount)::VARCHAR AS sum_amount,
               sum(tax)::VARCHAR AS sum_tax,
               sum(date_diff('day', DATE '2000-01-01', order_date))::VARCHAR AS date_checksum
        FROM (${CLEAN_SELECT(salesFile)})`);
      const row = reader.getRowObjectsJson()[0]!;
      const reference: Checksums = {
        rows: normDecimal(row.rows),
        datedRows: normDecimal(row.dated_rows),
        sumAmount: normDecimal(row.sum_amount),
        sumTax: normDecimal(row.sum_tax),
        dateChecksum: normDecimal(row.date_checksum),
      };
      await writeFile(refFile, JSON.stringify(reference));
    }
    if (wantClean && !haveClean) {
      const partial = `${cleanFile}.${process.pid}.partial`;
      await conn.run(`COPY (${CLEAN_SELECT(salesFile)}) TO ${quoteSqlLiteral(partial)} (FORMAT csv, HEADER false)`);
      await rename(partial, cleanFile);
    }
  } finally {
    conn.closeSync();
    db.closeSync();
  }
  console.log(`prep:   reference checksums${wantClean ? ' and clean file for psql' : ''} (DuckDB, untimed) in ${fmtSeconds((performance.now() - started) / 1000)}`);
  return {
    reference: JSON.parse(await readFile(refFile, 'utf8')) as Checksums,
    cleanFile: wantClean ? cleanFile : null,
  };
}

// ---------------------------------------------------------------------------------------------
// PostgreSQL

async function tableChecksums(client: pg.Client, table: string): Promise<Checksums> {
  const r = await client.query<{ rows: string; dated_rows: string; sum_amount: string | null; sum_tax: string | null; date_checksum: string | null }>(
    `SELECT count(*) AS rows, count(order_date) AS dated_rows,
            sum(amount)::text AS sum_amount, sum(tax)::text AS sum_tax,
            sum(order_date - DATE '2000-01-01')::text AS date_checksum
     FROM ${table}`,
  );
  const row = r.rows[0]!;
  return {
    rows: normDecimal(row.rows),
    datedRows: normDecimal(row.dated_rows),
    sumAmount: normDecimal(row.sum_amount),
    sumTax: normDecimal(row.sum_tax),
    dateChecksum: normDecimal(row.date_checksum),
  };
}

function diffChecksums(got: Checksums, want: Checksums): string[] {
  const out: string[] = [];
  for (const k of Object.keys(want) as (keyof Checksums)[]) {
    if (got[k] !== want[k]) out.push(`${k}: got ${got[k]}, expected ${want[k]}`);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// approaches

function defineApproaches(opts: Options): Approach[] {
  const sluiceSkip = existsSync(SLUICE_BIN) ? null : 'sluice CLI not available';
  const psqlSkip = commandWorks('psql', ['--version']) ? null : 'psql not found (install postgresql-client)';
  const pandasSkip = commandWorks(PYTHON, ['-c', 'import pandas, sqlalchemy, psycopg2'])
    ? null
    : `pandas, sqlalchemy or psycopg2 not importable by ${PYTHON}; install with: ` +
      'apt-get install python3-pandas python3-sqlalchemy python3-psycopg2';

  const sluice = (pipeline: string, table: string) => (input: Inputs) => ({
    cmd: process.execPath,
    args: [SLUICE_BIN, 'run', pipeline, '--var', `input=${input.salesFile}`, '--var', `table=${table}`],
    cwd: PROJECT_DIR,
  });
  const python = (script: string, table: string) => (input: Inputs) => ({
    cmd: PYTHON,
    args: [join(BENCH_DIR, script), '--input', input.salesFile, '--table', table, '--url', opts.pgUrl],
    cwd: BENCH_DIR,
  });

  return [
    {
      key: 'a1',
      label: 'Sluice (SQL transform)',
      table: 'bench_canon_sluice_sql',
      skip: sluiceSkip,
      precreate: false,
      command: sluice('canonical_sql', 'bench_canon_sluice_sql'),
    },
    {
      key: 'a2',
      label: 'Sluice (TS transform)',
      table: 'bench_canon_sluice_ts',
      skip: sluiceSkip,
      precreate: false,
      command: sluice('canonical_ts', 'bench_canon_sluice_ts'),
    },
    {
      key: 'b',
      label: 'psql \\copy clean file',
      table: 'bench_canon_psql',
      skip: psqlSkip,
      precreate: true,
      command: (input) => ({
        cmd: 'psql',
        args: [
          '-X', '-q', '-v', 'ON_ERROR_STOP=1', '-d', opts.pgUrl,
          '-c', `\\copy bench_canon_psql FROM ${quoteSqlLiteral(input.cleanFile!)} WITH (FORMAT csv)`,
        ],
        cwd: BENCH_DIR,
      }),
    },
    {
      key: 'c1',
      label: 'pandas to_sql',
      table: 'bench_canon_pandas_to_sql',
      skip: opts.skipToSql ? '--skip-to-sql given' : pandasSkip,
      precreate: true,
      command: python('pandas_to_sql.py', 'bench_canon_pandas_to_sql'),
    },
    {
      key: 'c2',
      label: 'pandas + COPY',
      table: 'bench_canon_pandas_copy',
      skip: pandasSkip,
      precreate: true,
      command: python('pandas_copy.py', 'bench_canon_pandas_copy'),
    },
  ];
}

// ---------------------------------------------------------------------------------------------
// report

interface Summary {
  approach: Approach;
  results: RunResult[];
  wall: number | null;
  rows: number | null;
  rowsPerSecond: number | null;
  peakRssKb: number | null;
}

function summarise(approach: Approach, results: RunResult[]): Summary {
  const ok = results.filter((r) => r.ok);
  if (ok.length === 0) return { approach, results, wall: null, rows: null, rowsPerSecond: null, peakRssKb: null };
  const wall = median(ok.map((r) => r.wallSeconds));
  const rows = Number(ok[0]!.checks!.rows);
  const rss = ok.map((r) => r.peakRssKb).filter((v): v is number => v !== null);
  return {
    approach,
    results,
    wall,
    rows,
    rowsPerSecond: rows / wall,
    peakRssKb: rss.length ? Math.max(...rss) : null,
  };
}

function printTable(headers: string[], rows: string[][], rightAlign: boolean[]): void {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) =>
    cells.map((c, i) => (rightAlign[i] ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join('  ');
  console.log(line(headers));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const r of rows) console.log(line(r));
}

function printRatios(byKey: Map<ApproachKey, Summary>): void {
  const rate = (k: ApproachKey) => byKey.get(k)?.rowsPerSecond ?? null;
  const wall = (k: ApproachKey) => byKey.get(k)?.wall ?? null;
  const lines: { label: string; value: number | null; target: string; meets: (v: number) => boolean }[] = [
    { label: 'Sluice SQL rows/s / pandas to_sql rows/s', value: ratio(rate('a1'), rate('c1')), target: '>= 15', meets: (v) => v >= 15 },
    { label: 'Sluice SQL rows/s / pandas+COPY rows/s', value: ratio(rate('a1'), rate('c2')), target: '>= 4', meets: (v) => v >= 4 },
    { label: 'Sluice TS rows/s  / pandas to_sql rows/s', value: ratio(rate('a2'), rate('c1')), target: '>= 8', meets: (v) => v >= 8 },
    { label: 'Sluice TS rows/s  / pandas+COPY rows/s', value: ratio(rate('a2'), rate('c2')), target: '>= 2', meets: (v) => v >= 2 },
    { label: 'Sluice SQL wall   / psql \\copy wall', value: ratio(wall('a1'), wall('b')), target: '<= 1.0', meets: (v) => v <= 1.0 },
  ];
  console.log('\nRatios against the targets (informational; timings are never asserted):');
  printTable(
    ['ratio', 'value', 'target', ''],
    lines.map((l) => [
      l.label,
      l.value === null ? 'n/a' : l.value.toFixed(2) + 'x',
      l.target,
      l.value === null ? '' : l.meets(l.value) ? 'meets' : 'BELOW TARGET',
    ]),
    [false, true, false, false],
  );
}

/** The 1-minute load average: on a shared machine a ratio means something only next to it. */
function loadAverage(): string {
  try {
    return readFileSync('/proc/loadavg', 'utf8').split(' ')[0] ?? 'n/a';
  } catch {
    return 'n/a';
  }
}

function ratio(a: number | null, b: number | null): number | null {
  return a === null || b === null || b === 0 ? null : a / b;
}

// ---------------------------------------------------------------------------------------------
// main

async function main(): Promise<number> {
  const opts = parseOptions(process.argv.slice(2));
  const approaches = defineApproaches(opts).filter((a) => opts.only.has(a.key));
  console.log(
    `canonical benchmark: ${fmtInt(opts.rows)} rows, ${opts.runs} run(s), approaches ${approaches.map((a) => a.key).join(',')}, ` +
      `PostgreSQL ${opts.pgUrl.replace(/:[^:@/]*@/, ':***@')}`,
  );
  for (const a of approaches) if (a.skip) console.log(`${a.key.padEnd(3)} ${a.label}: skipped: ${a.skip}`);
  const runnable = approaches.filter((a) => !a.skip);

  const client = new pg.Client({ connectionString: opts.pgUrl });
  try {
    await client.connect();
  } catch (err) {
    console.error(`cannot connect to PostgreSQL at ${opts.pgUrl}: ${(err as Error).message}`);
    return 1;
  }

  let exitCode = 0;
  try {
    if (runnable.length === 0) {
      console.log('nothing to run');
      return 0;
    }
    const salesFile = await ensureSalesFile(opts.rows, opts.seed);
    const { reference, cleanFile } = await prepareReference(salesFile, runnable.some((a) => a.key === 'b'));
    console.log(
      `expect: ${fmtInt(Number(reference.rows))} rows, sum(amount) ${reference.sumAmount}, sum(tax) ${reference.sumTax}`,
    );
    const inputs: Inputs = { salesFile, cleanFile };
    const env: NodeJS.ProcessEnv = { ...process.env, SLUICE_BENCH_PG_URL: opts.pgUrl };

    const results = new Map<ApproachKey, RunResult[]>();
    for (let run = 1; run <= opts.runs; run++) {
      for (const a of runnable) {
        await client.query(`DROP TABLE IF EXISTS ${a.table}`);
        if (a.precreate) await client.query(`CREATE TABLE ${a.table} ${TABLE_COLUMNS}`);
        // Flush earlier approaches' dirty pages so they do not land in this one's timing.
        await client.query('CHECKPOINT').catch(() => undefined);

        const { cmd, args, cwd } = a.command(inputs);
        if (opts.verbose) console.log(`$ (cd ${cwd} && ${cmd} ${args.join(' ')})`);
        const t = await runTimed(cmd, args, cwd, env);
        let result: RunResult;
        if (t.code !== 0) {
          result = { ok: false, wallSeconds: t.wallSeconds, peakRssKb: t.peakRssKb, checks: null, error: `exit code ${t.code}\n${tail(t.stderr || t.stdout)}` };
        } else {
          try {
            const checks = await tableChecksums(client, a.table);
            const diff = diffChecksums(checks, reference);
            result = diff.length
              ? { ok: false, wallSeconds: t.wallSeconds, peakRssKb: t.peakRssKb, checks, error: `MISMATCH: ${diff.join('; ')}` }
              : { ok: true, wallSeconds: t.wallSeconds, peakRssKb: t.peakRssKb, checks };
          } catch (err) {
            result = { ok: false, wallSeconds: t.wallSeconds, peakRssKb: t.peakRssKb, checks: null, error: `cannot read ${a.table}: ${(err as Error).message}` };
          }
        }
        if (opts.verbose && t.stdout.trim()) console.log(tail(t.stdout, 10));
        const status = result.ok ? 'ok' : result.error!.startsWith('MISMATCH') ? 'MISMATCH' : 'FAILED';
        console.log(
          `run ${run}/${opts.runs} ${a.key.padEnd(3)} ${a.label.padEnd(24)} ${fmtSeconds(t.wallSeconds).padStart(8)}  ` +
            `${fmtMb(t.peakRssKb).padStart(8)}  ${status}  (load ${loadAverage()})`,
        );
        if (!result.ok) {
          console.log(result.error!.replace(/^/gm, '      '));
          exitCode = 1;
        }
        (results.get(a.key) ?? results.set(a.key, []).get(a.key)!).push(result);
      }
    }

    const summaries = runnable.map((a) => summarise(a, results.get(a.key) ?? []));
    const byKey = new Map(summaries.map((s) => [s.approach.key, s] as const));
    console.log(
      `\nResults (${opts.runs > 1 ? `median wall of ${opts.runs} runs, max peak RSS` : 'one run'}; ` +
        'rows/s = rows loaded / wall; peak RSS = client process tree, sum of per-process VmHWM polled ' +
        `every ${RSS_POLL_MS} ms, and at least GNU time %M):`,
    );
    printTable(
      ['', 'approach', 'wall', 'rows loaded', 'rows/s', 'peak RSS', 'check'],
      approaches.map((a) => {
        const s = byKey.get(a.key);
        if (!s) return [a.key, a.label, '-', '-', '-', '-', `skipped: ${a.skip}`];
        const failed = s.results.filter((r) => !r.ok);
        const check = failed.length === 0 ? 'ok' : failed.some((r) => r.error?.startsWith('MISMATCH')) ? 'MISMATCH' : 'FAILED';
        return [
          a.key,
          a.label,
          s.wall === null ? '-' : fmtSeconds(s.wall),
          s.rows === null ? '-' : fmtInt(s.rows),
          s.rowsPerSecond === null ? '-' : fmtInt(s.rowsPerSecond),
          fmtMb(s.peakRssKb),
          check,
        ];
      }),
      [false, false, true, true, true, true, false],
    );
    printRatios(byKey);

    const mismatched = summaries.filter((s) => s.results.some((r) => r.error?.startsWith('MISMATCH')));
    if (mismatched.length) {
      console.log(
        `\nMISMATCH: ${mismatched.map((s) => s.approach.key).join(', ')} did not load the same row count / sum(amount) / ` +
          `sum(tax) as the reference (${reference.rows} rows, ${reference.sumAmount}, ${reference.sumTax})`,
      );
      exitCode = 1;
    } else if (exitCode === 0) {
      console.log(`\nAll approaches loaded ${fmtInt(Number(reference.rows))} rows with identical sum(amount) and sum(tax).`);
    }
  } finally {
    for (const a of approaches) await client.query(`DROP TABLE IF EXISTS ${a.table}`).catch(() => undefined);
    await client.end();
  }
  return exitCode;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err instanceof Error ? (err.stack ?? err.message) : err);
    process.exit(1);
  },
);
