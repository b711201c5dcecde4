import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, open, readFile, rename, rm, truncate } from 'node:fs/promises';
import path from 'node:path';
import type { ColumnTypes, Row } from '../core/data-plane/data-plane.ts';
import type { SyncContext } from '../core/connectors/sync-destination.ts';
import type { FileSinkFile } from '../core/pipeline/streaming-schema.ts';
import { ConnectorError } from '../core/errors.ts';
import { CommittedIds } from './committed-ids.ts';
import type { SinkProgress } from './stream-sink.ts';

/** A file being written: rows go to `temp`; closing renames it to `final`. */
interface OpenFile {
  /** The partition's path, with the `*` still in it. */
  readonly partition: string;
  readonly final: string;
  readonly temp: string;
  /** Bytes and records committed to it (a crash truncates it back to `bytes`). */
  bytes: number;
  records: number;
  readonly openedAt: number;
  /** The columns and types seen in its rows, for a Parquet file's schema. */
  columns: Record<string, string>;
}

/** The sink's own record of what it committed, kept in one file replaced atomically: the commit point of each batch. */
interface FileSinkState {
  committed: Record<string, [number, number][]>;
  progress: SinkProgress;
  /** The number the next file gets (its `*`). */
  next: number;
  open: OpenFile[];
}

const utf8 = new TextEncoder();

/**
 * A streaming sink writing rows to rolling files, partitioned by event time
 * (`out/{date}/part-*.jsonl`). Each batch's rows are appended to the open
 * file of their partition and flushed to disk; then the sink's state file
 * (committed message ids, each open file's committed length) is replaced
 * atomically: that is the commit. A crash before it leaves rows past the
 * committed length, which the next start cuts off; the messages come again
 * and are written once. A file is written under a hidden temporary name and
 * renamed to its own when it rolls (records, bytes or age), so a reader of
 * `part-*` files sees only whole files, each record in exactly one of them.
 */
export class FileSink {
  readonly label: string;
  private state: FileSinkState = { committed: {}, progress: { records: 0, messages: 0, batches: 0 }, next: 0, open: [] };
  private committed = new CommittedIds();
  private readonly format: 'jsonl' | 'parquet';
  private readonly template: string;

  constructor(
    readonly pipeline: string,
    readonly spec: FileSinkFile,
    root: string,
    private readonly stateFile: string,
  ) {
    this.label = `files ${spec.path}`;
    this.format = spec.format ?? (spec.path.endsWith('.parquet') ? 'parquet' : 'jsonl');
    this.template = path.resolve(root, spec.path);
  }

  /** Where a file sink of this path keeps its state, under the project's state folder. */
  static stateFileFor(stateDir: string, pipeline: string, spec: FileSinkFile): string {
    const id = createHash('sha256').update(spec.path).digest('hex').slice(0, 12);
    return path.join(stateDir, 'streams', pipeline, `file-sink-${id}.json`);
  }

  /** Reads the committed state and cuts every open file back to its committed length. */
  async load(): Promise<void> {
    const text = await readFile(this.stateFile, 'utf8').catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return undefined;
      throw error;
    });
    if (text !== undefined) this.state = JSON.parse(text) as FileSinkState;
    this.committed = CommittedIds.fromJSON(this.state.committed);
    const open: OpenFile[] = [];
    for (const file of this.state.open) {
      if (existsSync(file.temp) && existsSync(file.final)) {
        // A Parquet close got as far as putting the file in place: only the JSONL was left to remove.
        await rm(file.temp, { force: true });
      } else if (existsSync(file.temp)) {
        await truncate(file.temp, file.bytes);
        open.push(file);
      } else if (!existsSync(file.final) && file.records > 0) {
        throw new ConnectorError('stream.file_lost', `${this.label}: ${file.temp} held ${file.records} committed records and is gone (was it moved or deleted?); the sink cannot go on without losing them`);
      }
      // Else it was renamed to its own name just before a crash: it is closed.
    }
    this.state.open = open;
  }

  hasCommitted(id: string): boolean {
    return this.committed.has(id);
  }

  get totals(): SinkProgress {
    return this.state.progress;
  }

  /** Appends the rows to their partitions' files and commits them with the ids; then closes files due to roll. */
  async writeRows(rows: readonly Row[], types: ColumnTypes, ids: readonly string[], settled: (id: string) => boolean, context: SyncContext): Promise<number> {
    const byFile = new Map<OpenFile, string[]>();
    for (const row of rows) {
      const file = await this.fileFor(this.finalPathFor(row));
      let lines = byFile.get(file);
      if (!lines) byFile.set(file, (lines = []));
      lines.push(JSON.stringify(row, jsonValue));
      for (const name of Object.keys(row)) file.columns[name] ??= types[name] ?? 'VARCHAR';
    }
    const grown = new Map<OpenFile, { bytes: number; records: number }>();
    for (const [file, lines] of byFile) {
      const bytes = utf8.encode(`${lines.join('\n')}\n`);
      const handle = await open(file.temp, 'r+');
      try {
        // What a batch that never committed left past the committed length goes first.
        await handle.truncate(file.bytes);
        await handle.write(bytes, 0, bytes.length, file.bytes);
        await handle.sync();
      } finally {
        await handle.close();
      }
      grown.set(file, { bytes: file.bytes + bytes.length, records: file.records + lines.length });
    }
    const committed = this.committed.clone();
    committed.prune(settled);
    for (const id of ids) committed.add(id);
    const progress = { records: this.state.progress.records + rows.length, messages: this.state.progress.messages + ids.length, batches: this.state.progress.batches + 1 };
    const files = this.state.open.map((f) => ({ ...f, ...grown.get(f) }));
    await this.saveState({ ...this.state, committed: committed.toJSON(), progress, open: files });
    this.committed = committed;
    await this.roll(context, false);
    return rows.length;
  }

  /** Closes every file: on a clean stop, so what was written is readable. */
  async closeAll(context: SyncContext): Promise<void> {
    await this.roll(context, true);
  }

  /** Renames each file due (or all) to its own name, a Parquet file converted first; each close is saved in the state. */
  private async roll(context: SyncContext, all: boolean): Promise<void> {
    const { records, bytes, after } = this.spec.roll;
    const now = Date.now();
    for (const file of [...this.state.open]) {
      if (!all && file.records < records && file.bytes < bytes && now - file.openedAt < after) continue;
      if (file.records > 0) {
        if (existsSync(file.final)) throw new ConnectorError('stream.file_exists', `${this.label}: ${file.final} exists already; a file sink never overwrites a closed file (did another pipeline write there?)`);
        if (this.format === 'parquet') await this.toParquet(file, context);
        else await rename(file.temp, file.final);
        await syncDir(path.dirname(file.final));
      } else await rm(file.temp, { force: true });
      await this.saveState({ ...this.state, open: this.state.open.filter((f) => f !== file) });
    }
  }

  /** Writes the file's rows as Parquet beside it (through the data plane), renames that into place and drops the JSONL. */
  private async toParquet(file: OpenFile, context: SyncContext): Promise<void> {
    const converting = `${file.temp}.parquet`;
    const columns = Object.entries(file.columns)
      .map(([name, type]) => `${quoteLiteral(name)}: ${quoteLiteral(type)}`)
      .join(', ');
    await context.session.query(`COPY (SELECT * FROM read_json(${quoteLiteral(file.temp)}, format = 'newline_delimited', columns = {${columns}})) TO ${quoteLiteral(converting)} (FORMAT parquet)`);
    await rename(converting, file.final);
    await rm(file.temp, { force: true });
  }

  /** The final path a row's file has: the template with the row's event time filled in and `*` still in it. */
  private finalPathFor(row: Row): string {
    const at = this.spec.event_time === undefined ? undefined : eventTime(row[this.spec.event_time]);
    const pad = (n: number) => String(n).padStart(2, '0');
    const fields: Record<string, string> = at
      ? { date: at.toISOString().slice(0, 10), year: String(at.getUTCFullYear()), month: pad(at.getUTCMonth() + 1), day: pad(at.getUTCDate()), hour: pad(at.getUTCHours()) }
      : { date: 'unknown', year: 'unknown', month: 'unknown', day: 'unknown', hour: 'unknown' };
    return this.template.replace(/\{(date|year|month|day|hour)\}/g, (_, field: string) => fields[field]!);
  }

  /** The open file of a partition, or a new one: registered in the state before it is created, so a crash never leaves one unknown. */
  private async fileFor(partition: string): Promise<OpenFile> {
    const found = this.state.open.find((f) => f.partition === partition);
    if (found) return found;
    const number = String(this.state.next).padStart(6, '0');
    const final = partition.replace('*', number);
    const file: OpenFile = { partition, final, temp: path.join(path.dirname(final), `.${path.basename(final)}.inprogress`), bytes: 0, records: 0, openedAt: Date.now(), columns: {} };
    await this.saveState({ ...this.state, next: this.state.next + 1, open: [...this.state.open, file] });
    await mkdir(path.dirname(final), { recursive: true });
    await (await open(file.temp, 'w')).close();
    return file;
  }

  /** Replaces the state file atomically (a new file, flushed, renamed over the old). */
  private async saveState(state: FileSinkState): Promise<void> {
    await mkdir(path.dirname(this.stateFile), { recursive: true });
    const temp = `${this.stateFile}.tmp`;
    const handle = await open(temp, 'w');
    try {
      await handle.writeFile(JSON.stringify(state));
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, this.stateFile);
    this.state = state;
  }
}

/** A row's event time: a Date, an ISO 8601 text or epoch milliseconds; undefined when it is none of them. */
function eventTime(value: unknown): Date | undefined {
  const at = value instanceof Date ? value : typeof value === 'string' || typeof value === 'number' ? new Date(value) : undefined;
  return at && !Number.isNaN(at.getTime()) ? at : undefined;
}

/** JSON for values the data plane gives: a bigint as a number when it fits, else as its digits. */
export function jsonValue(_key: string, value: unknown): unknown {
  if (typeof value === 'bigint') return Number.isSafeInteger(Number(value)) ? Number(value) : value.toString();
  return value;
}

function quoteLiteral(text: string): string {
  return `'${text.replaceAll("'", "''")}'`;
}

/** Flushes a folder's entries, so a rename in it survives a power cut. */
async function syncDir(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
