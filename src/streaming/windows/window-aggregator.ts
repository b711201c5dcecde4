import type { ColumnTypes, Row } from '../../core/data-plane/data-plane.ts';
import { windowAggregates, type WindowAggregate, type WindowSettings } from '../../core/pipeline/streaming-schema.ts';

/**
 * The open windows of a windowed pipeline, as kept in a sink's state row and
 * committed with the ids of the messages that changed them. Plain JSON: times
 * are epoch milliseconds.
 */
export interface WindowState {
  /** The greatest event time seen; the watermark trails it by `watermark_delay`. */
  readonly maxEventTime: number | null;
  readonly open: readonly StoredWindow[];
  /** With `late: update`: windows already emitted, kept for late events until `late_retention` has passed. */
  readonly closed: readonly StoredWindow[];
  /** Distinct window ranges emitted so far, and the end of the latest: what a hybrid trigger follows. */
  readonly windowsClosed: number;
  readonly lastClosedEnd: number | null;
}

/** One window of one group: its bounds and one accumulator per aggregate. */
export interface StoredWindow {
  readonly start: number;
  readonly end: number;
  readonly group: readonly GroupValue[];
  readonly acc: readonly Accumulator[];
}

type GroupValue = string | number | boolean | null;
/** count: [n]; sum and avg: [total, n]; min and max: [value or null, 1 when the value is a timestamp]. */
type Accumulator = readonly [number | string | null, number];

/** A record that came from one message, by its id: late records are keyed by it in the late table. */
export interface WindowInput {
  readonly id: string;
  readonly rows: readonly Row[];
}

export interface LateRecord {
  readonly messageId: string;
  /** The record's place among its message's records. */
  readonly index: number;
  readonly row: Row;
}

export interface WindowStep {
  readonly state: WindowState;
  /** Result rows to write: windows closed by this batch, and emitted windows a late event updated. */
  readonly rows: Row[];
  /** Records whose window was emitted and can no longer be updated. */
  readonly late: LateRecord[];
  /** Window ranges this batch closed for the first time. */
  readonly closed: number;
}

export const emptyWindowState: WindowState = { maxEventTime: null, open: [], closed: [], windowsClosed: 0, lastClosedEnd: null };

/**
 * Windowed aggregation on event time, one micro-batch at a time. A batch's
 * records are checked for lateness against the watermark the batch started
 * with (the committed one), then the watermark moves to the batch's greatest
 * event time minus the delay, and every window whose end plus the allowed
 * lateness it has passed is emitted. The step is a pure function of the
 * committed state and the batch, so a batch processed again after a crash
 * takes the same decisions.
 */
export class WindowAggregator {
  private readonly aggregates: readonly WindowAggregate[];

  constructor(readonly settings: WindowSettings) {
    this.aggregates = windowAggregates(settings);
  }

  /** Why a record cannot go into a window (no event time, an aggregated value that is not a number), or undefined. */
  problem(row: Row): string | undefined {
    const time = eventTime(row[this.settings.time]);
    if (time === undefined) return `column ${this.settings.time} holds no event time (a TIMESTAMP, an ISO 8601 string or epoch milliseconds): ${JSON.stringify(row[this.settings.time] ?? null)}`;
    for (const a of this.aggregates) {
      if (!a.column || a.fn === 'count') continue;
      const value = row[a.column];
      if (value === null || value === undefined) continue;
      if (a.fn === 'sum' || a.fn === 'avg') {
        if (typeof value !== 'number' && typeof value !== 'bigint') return `${a.name}: ${a.fn}(${a.column}) needs a number, got ${JSON.stringify(value)}`;
      } else if (typeof value !== 'number' && typeof value !== 'bigint' && typeof value !== 'string' && !(value instanceof Date)) {
        return `${a.name}: ${a.fn}(${a.column}) needs a number, a string or a timestamp, got ${JSON.stringify(value)}`;
      }
    }
    return undefined;
  }

  /** The result rows' column types, from the input columns' types where known. */
  resultTypes(inputTypes: ColumnTypes): ColumnTypes {
    const types: Record<string, string> = { window_start: 'TIMESTAMP', window_end: 'TIMESTAMP' };
    for (const column of this.settings.group_by) if (inputTypes[column]) types[column] = inputTypes[column];
    for (const a of this.aggregates) {
      const input = a.column ? inputTypes[a.column] : undefined;
      if (a.fn === 'count') types[a.name] = 'BIGINT';
      else if (a.fn === 'avg') types[a.name] = 'DOUBLE';
      else if (a.fn === 'sum') types[a.name] = input === 'BIGINT' || input === 'INTEGER' ? 'BIGINT' : 'DOUBLE';
      else if (input) types[a.name] = input;
    }
    return types;
  }

  step(state: WindowState | undefined, inputs: readonly WindowInput[]): WindowStep {
    const s = this.settings;
    const before = state ?? emptyWindowState;
    const watermark = before.maxEventTime === null ? Number.NEGATIVE_INFINITY : before.maxEventTime - s.watermark_delay;
    const open = new Map(before.open.map((w) => [windowId(w), w]));
    const closed = new Map(before.closed.map((w) => [windowId(w), w]));
    const updated = new Set<string>();
    const late: LateRecord[] = [];
    let maxEventTime = before.maxEventTime;

    for (const { id, rows } of inputs) {
      rows.forEach((row, index) => {
        const time = eventTime(row[s.time])!;
        maxEventTime = maxEventTime === null ? time : Math.max(maxEventTime, time);
        const group = s.group_by.map((c) => groupValue(row[c]));
        if (s.type === 'session') {
          if (time + s.gap! + s.allowed_lateness <= watermark) late.push({ messageId: id, index, row });
          else this.addToSession(open, group, time, row);
          return;
        }
        let missed = false;
        for (const start of windowStarts(time, s.size!, s.hop ?? s.size!)) {
          const end = start + s.size!;
          const key = windowId({ start, group });
          if (end + s.allowed_lateness > watermark) {
            open.set(key, this.add(open.get(key) ?? this.fresh(start, end, group), row));
          } else if (s.late === 'update' && end + s.allowed_lateness + s.late_retention > watermark) {
            closed.set(key, this.add(closed.get(key) ?? this.fresh(start, end, group), row));
            updated.add(key);
          } else missed = true;
        }
        if (missed) late.push({ messageId: id, index, row });
      });
    }

    return this.emit(before, open, closed, updated, late, maxEventTime);
  }

  /**
   * The watermark moved on by processing time while no record came (`idle_timeout`): the greatest event
   * time counts as `maxEventTime`, and every window the watermark now passes is emitted. Undefined when
   * that emits nothing (the state need not change).
   */
  idle(state: WindowState | undefined, maxEventTime: number): WindowStep | undefined {
    const before = state ?? emptyWindowState;
    if (before.maxEventTime === null || maxEventTime <= before.maxEventTime) return undefined;
    const step = this.emit(before, new Map(before.open.map((w) => [windowId(w), w])), new Map(before.closed.map((w) => [windowId(w), w])), new Set(), [], maxEventTime);
    return step.rows.length || step.state.closed.length !== before.closed.length ? step : undefined;
  }

  /** The watermark moves to `maxEventTime` less the delay; every window it passed (with the lateness) is emitted. */
  private emit(before: WindowState, open: Map<string, StoredWindow>, closed: Map<string, StoredWindow>, updated: ReadonlySet<string>, late: LateRecord[], maxEventTime: number | null): WindowStep {
    const s = this.settings;
    const next = maxEventTime === null ? Number.NEGATIVE_INFINITY : maxEventTime - s.watermark_delay;
    const emitted: StoredWindow[] = [];
    for (const [key, w] of open) {
      if (w.end + s.allowed_lateness > next) continue;
      open.delete(key);
      emitted.push(w);
      if (s.late === 'update') closed.set(key, w);
    }
    // Updated windows are emitted again even when this batch's watermark also ends their retention.
    const reemitted = [...updated].map((key) => closed.get(key)!);
    for (const [key, w] of closed) if (w.end + s.allowed_lateness + s.late_retention <= next) closed.delete(key);
    const ranges = new Set(emitted.map((w) => `${w.start}:${w.end}`));
    const lastClosedEnd = emitted.reduce<number | null>((last, w) => (last === null || w.end > last ? w.end : last), before.lastClosedEnd);
    const rows = [...emitted, ...reemitted].sort(byStartThenGroup).map((w) => this.result(w));
    return {
      state: { maxEventTime, open: [...open.values()].sort(byStartThenGroup), closed: [...closed.values()].sort(byStartThenGroup), windowsClosed: before.windowsClosed + ranges.size, lastClosedEnd },
      rows,
      late,
      closed: ranges.size,
    };
  }

  /** An event joins the sessions of its group it falls within a gap of, merging them when it bridges two. */
  private addToSession(open: Map<string, StoredWindow>, group: readonly GroupValue[], time: number, row: Row): void {
    const gap = this.settings.gap!;
    const groupKey = JSON.stringify(group);
    let merged = this.add(this.fresh(time, time + gap, group), row);
    for (const [key, w] of open) {
      if (JSON.stringify(w.group) !== groupKey || !(time < w.end && time + gap > w.start)) continue;
      open.delete(key);
      merged = { start: Math.min(merged.start, w.start), end: Math.max(merged.end, w.end), group, acc: merged.acc.map((a, i) => this.merge(this.aggregates[i]!, a, w.acc[i]!)) };
    }
    open.set(windowId(merged), merged);
  }

  private fresh(start: number, end: number, group: readonly GroupValue[]): StoredWindow {
    return { start, end, group, acc: this.aggregates.map((a) => (a.fn === 'min' || a.fn === 'max' ? [null, 0] : [0, 0])) };
  }

  private add(w: StoredWindow, row: Row): StoredWindow {
    return { ...w, acc: w.acc.map((acc, i) => this.addValue(this.aggregates[i]!, acc, row)) };
  }

  private addValue(a: WindowAggregate, acc: Accumulator, row: Row): Accumulator {
    const value = a.column === undefined ? true : row[a.column];
    if (value === null || value === undefined) return acc;
    if (a.fn === 'count') return [(acc[0] as number) + 1, 0];
    if (a.fn === 'sum' || a.fn === 'avg') return [(acc[0] as number) + Number(value), acc[1] + 1];
    const [v, isTime] = value instanceof Date ? [value.getTime(), 1] : [typeof value === 'bigint' ? Number(value) : (value as number | string), 0];
    return this.merge(a, acc, [v, isTime]);
  }

  private merge(a: WindowAggregate, x: Accumulator, y: Accumulator): Accumulator {
    if (a.fn === 'count') return [(x[0] as number) + (y[0] as number), 0];
    if (a.fn === 'sum' || a.fn === 'avg') return [(x[0] as number) + (y[0] as number), x[1] + y[1]];
    if (x[0] === null) return y;
    if (y[0] === null) return x;
    const pick = a.fn === 'min' ? y[0] < x[0] : y[0] > x[0];
    return pick ? y : x;
  }

  private result(w: StoredWindow): Row {
    const row: Record<string, unknown> = { window_start: new Date(w.start), window_end: new Date(w.end) };
    this.settings.group_by.forEach((c, i) => (row[c] = w.group[i]));
    this.aggregates.forEach((a, i) => {
      const [value, n] = w.acc[i]!;
      if (a.fn === 'count') row[a.name] = value;
      else if (a.fn === 'sum') row[a.name] = n ? value : null;
      else if (a.fn === 'avg') row[a.name] = n ? (value as number) / n : null;
      else row[a.name] = value === null ? null : n ? new Date(value as number) : value;
    });
    return row as Row;
  }
}

/** The starts of the windows (each `size` long, one every `hop`) that hold `time`, aligned to the epoch. */
export function windowStarts(time: number, size: number, hop: number): number[] {
  const starts: number[] = [];
  for (let start = Math.floor(time / hop) * hop; start > time - size; start -= hop) starts.push(start);
  return starts.reverse();
}

/** An event time as epoch milliseconds: a Date, an ISO 8601 string or a number of milliseconds. */
export function eventTime(value: unknown): number | undefined {
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? undefined : value.getTime();
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
  if (typeof value === 'string' && /^\d{4}-\d{2}-\d{2}/.test(value)) {
    const ms = Date.parse(value);
    return Number.isNaN(ms) ? undefined : ms;
  }
  return undefined;
}

function groupValue(value: unknown): GroupValue {
  if (value === undefined || value === null) return null;
  if (value instanceof Date) return value.toISOString();
  if (typeof value === 'bigint') return Number(value);
  if (typeof value === 'object') return JSON.stringify(value);
  return value as GroupValue;
}

function windowId(w: { readonly start: number; readonly group: readonly GroupValue[] }): string {
  return `${w.start}:${JSON.stringify(w.group)}`;
}

function byStartThenGroup(a: StoredWindow, b: StoredWindow): number {
  return a.start - b.start || JSON.stringify(a.group).localeCompare(JSON.stringify(b.group));
}

/** Reads a window state from a state row; a missing or foreign value is the empty state. */
export function windowStateFrom(value: unknown): WindowState | undefined {
  if (!value || typeof value !== 'object') return undefined;
  const v = value as Partial<WindowState>;
  if (!Array.isArray(v.open) || !Array.isArray(v.closed)) return undefined;
  return { maxEventTime: v.maxEventTime ?? null, open: v.open, closed: v.closed, windowsClosed: v.windowsClosed ?? 0, lastClosedEnd: v.lastClosedEnd ?? null };
}
