import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { BatchReport, CommittedTotals } from './run-stream.ts';

export type StreamState = 'running' | 'stopped' | 'failed';

/** What a running stream says about itself, every few seconds, in the project's state folder. */
export interface StreamHeartbeat {
  readonly pipeline: string;
  readonly state: StreamState;
  readonly pid: number;
  readonly startedAt: string;
  readonly updatedAt: string;
  readonly messages: number;
  readonly rows: number;
  readonly duplicates: number;
  readonly deadLettered: number;
  readonly retried: number;
  /** Rows committed per second over the last minute or so. */
  readonly rowsPerSecond: number;
  /** Messages waiting in the broker, at the last look. */
  readonly lag: number | undefined;
  /** Publish-to-commit latency of the last batch's oldest message, ms. */
  readonly latencyMs: number | undefined;
  /** Times `sluice serve` or `sluice scheduler` restarted the stream after a failure since it took it. */
  readonly restarts?: number | undefined;
  /** The process that keeps the stream running, when a supervisor does (not `sluice stream run`). */
  readonly supervisedBy?: string | undefined;
  readonly error?: string | undefined;
  /** Records sent to the late table in this run (a windowed pipeline). */
  readonly late?: number | undefined;
  /** What the first sink has committed in all (not only in this run), as of the last batch: hybrid triggers follow it. */
  readonly committed?: CommittedTotals | undefined;
}

export function heartbeatFile(stateDir: string, pipeline: string): string {
  return path.join(stateDir, 'streams', `${pipeline}.json`);
}

/** Keeps the totals of a run and writes them out at most every `everyMs`, and on `finish`. */
export class HeartbeatWriter {
  private beat: StreamHeartbeat;
  private readonly window: { at: number; rows: number }[] = [];
  private writtenAt = 0;
  private trailing: NodeJS.Timeout | undefined;

  constructor(
    private readonly file: string,
    pipeline: string,
    private readonly everyMs = 1000,
    supervision?: { readonly restarts: number; readonly supervisedBy: string },
  ) {
    const now = new Date().toISOString();
    this.beat = { pipeline, state: 'running', pid: process.pid, startedAt: now, updatedAt: now, messages: 0, rows: 0, duplicates: 0, deadLettered: 0, retried: 0, rowsPerSecond: 0, lag: undefined, latencyMs: undefined, ...supervision };
    this.write();
  }

  get current(): StreamHeartbeat {
    return this.beat;
  }

  record(report: BatchReport, lag?: number): void {
    const now = Date.now();
    this.window.push({ at: now, rows: report.rows });
    while (this.window.length > 1 && this.window[0]!.at < now - 60_000) this.window.shift();
    const span = Math.max(1, (now - this.window[0]!.at) / 1000);
    const b = this.beat;
    this.beat = {
      ...b,
      messages: b.messages + report.messages,
      rows: b.rows + report.rows,
      duplicates: b.duplicates + report.duplicates,
      deadLettered: b.deadLettered + report.deadLettered,
      retried: b.retried + report.retried,
      rowsPerSecond: this.window.length > 1 ? Math.round(this.window.slice(1).reduce((sum, w) => sum + w.rows, 0) / span) : 0,
      lag: lag ?? b.lag,
      latencyMs: report.latencyMs?.[0] ?? b.latencyMs,
      late: report.late ? (b.late ?? 0) + report.late : b.late,
      committed: report.committed ?? b.committed,
    };
    const due = this.writtenAt + this.everyMs - now;
    if (due <= 0) this.write();
    // A batch recorded within the interval is written when it ends, so a stream that goes quiet
    // after its last batch still shows that batch's totals.
    else this.trailing ??= setTimeout(() => this.write(), due).unref();
  }

  finish(state: Exclude<StreamState, 'running'>, error?: string): void {
    this.beat = { ...this.beat, state, rowsPerSecond: 0, error };
    this.write();
  }

  private write(): void {
    if (this.trailing) clearTimeout(this.trailing);
    this.trailing = undefined;
    this.writtenAt = Date.now();
    this.beat = { ...this.beat, updatedAt: new Date(this.writtenAt).toISOString() };
    mkdirSync(path.dirname(this.file), { recursive: true });
    // Written aside and renamed, so a reader never sees half a file.
    writeFileSync(`${this.file}.tmp`, JSON.stringify(this.beat, null, 2));
    renameSync(`${this.file}.tmp`, this.file);
  }
}

/** The last heartbeat of one stream, or undefined when it never ran here (or its file is being replaced). */
export function readHeartbeat(stateDir: string, pipeline: string): StreamHeartbeat | undefined {
  try {
    return JSON.parse(readFileSync(heartbeatFile(stateDir, pipeline), 'utf8')) as StreamHeartbeat;
  } catch {
    return undefined;
  }
}

/** The last heartbeat of each stream that ran in this project; a `running` one whose process is gone reads `failed`. */
export function readHeartbeats(stateDir: string): StreamHeartbeat[] {
  const dir = path.join(stateDir, 'streams');
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => JSON.parse(readFileSync(path.join(dir, f), 'utf8')) as StreamHeartbeat)
    .map((beat) => (beat.state === 'running' && !alive(beat.pid) ? { ...beat, state: 'failed' as const, error: beat.error ?? 'the process stopped without saying (killed?)' } : beat));
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
