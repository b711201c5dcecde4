import type { Row } from '../../core/data-plane/data-plane.ts';
import { dataPrepError, describeRows } from './ml-error.ts';
import { readInstant } from './read-instant.ts';
import { keyOf } from './row-values.ts';
import type { Split } from './split-rows.ts';

export interface LeakageOptions {
  /**
   * The column holding the time each row's prediction is made at: no feature
   * may be computed from data after it.
   */
  readonly asOf?: string;
  /**
   * For each feature column, the column holding the time of the latest data it
   * was computed from: `{ orders_30d: 'orders_30d_computed_at' }`. Needs `asOf`.
   */
  readonly featureTimes?: Readonly<Record<string, string>>;
  /** A column whose values (customers, patients) must not be on both sides. */
  readonly group?: string;
  /** The time column of a time split: every train row must come before every test row. */
  readonly time?: string;
}

/** One way data leaks, with the column and the rows (1-based in their side) where it does. */
export interface Leak {
  readonly kind: 'future_feature' | 'group_on_both_sides' | 'time_overlap' | 'unreadable_time';
  readonly column: string;
  readonly side: 'train' | 'test';
  readonly rows: readonly number[];
  readonly message: string;
}

/**
 * Finds the ways a split leaks: a feature computed from data later than the
 * row's `asOf` time, a group on both sides, or train rows that are not all
 * before the test rows. Returns every leak found (none is good news).
 * @example
 * const leaks = findLeaks({ train, test }, { asOf: 'as_of', featureTimes: { orders_30d: 'orders_computed_at' }, group: 'customer_id' });
 */
export function findLeaks(split: Split, options: LeakageOptions): Leak[] {
  const leaks: Leak[] = [];
  if (options.featureTimes && !options.asOf) throw dataPrepError('bad_leakage_options', 'featureTimes needs asOf: the column holding the time each row is predicted at');
  for (const side of ['train', 'test'] as const) {
    if (options.asOf) leaks.push(...futureFeatures(split[side], side, options.asOf, options.featureTimes ?? {}));
  }
  if (options.group) leaks.push(...groupsOnBothSides(split, options.group));
  if (options.time) leaks.push(...timeOverlap(split, options.time));
  return leaks;
}

/** Like `findLeaks`, but fails on the first kind of leak found, with every leak in the message. */
export function assertNoLeaks(split: Split, options: LeakageOptions): void {
  const leaks = findLeaks(split, options);
  if (leaks.length) throw dataPrepError('leakage', `the split leaks: ${leaks.map((leak) => leak.message).join('; ')}`);
}

function futureFeatures(rows: readonly Row[], side: 'train' | 'test', asOf: string, featureTimes: Readonly<Record<string, string>>): Leak[] {
  const asOfTimes = rows.map((row) => readInstant(row[asOf]));
  const leaks: Leak[] = [];
  const unreadable = asOfTimes.flatMap((t, i) => (t === null ? [i + 1] : []));
  if (unreadable.length) leaks.push({ kind: 'unreadable_time', column: asOf, side, rows: unreadable, message: `column '${asOf}' has no readable time in ${describeRows(unreadable, side)}` });
  for (const [feature, timeColumn] of Object.entries(featureTimes)) {
    const late: number[] = [];
    const unread: number[] = [];
    rows.forEach((row, i) => {
      if (row[timeColumn] === null || row[timeColumn] === undefined) return;
      const computedAt = readInstant(row[timeColumn]);
      if (computedAt === null) unread.push(i + 1);
      else if (asOfTimes[i] !== null && computedAt > asOfTimes[i]!) late.push(i + 1);
    });
    if (unread.length) leaks.push({ kind: 'unreadable_time', column: timeColumn, side, rows: unread, message: `column '${timeColumn}' has no readable time in ${describeRows(unread, side)}` });
    if (late.length) {
      const first = rows[late[0]! - 1]!;
      const example = `${timeColumn} ${shown(first[timeColumn])} > ${asOf} ${shown(first[asOf])}`;
      leaks.push({ kind: 'future_feature', column: feature, side, rows: late, message: `feature '${feature}' is computed from data after '${asOf}' in ${describeRows(late, side)} (${example})` });
    }
  }
  return leaks;
}

function groupsOnBothSides(split: Split, column: string): Leak[] {
  const trainGroups = new Set(split.train.map((row) => keyOf(row[column])));
  const rows = split.test.flatMap((row, i) => (row[column] !== null && row[column] !== undefined && trainGroups.has(keyOf(row[column])) ? [i + 1] : []));
  if (!rows.length) return [];
  const groups = [...new Set(rows.map((i) => keyOf(split.test[i - 1]![column])))];
  const named = groups.slice(0, 5).map((g) => `'${g}'`).join(', ') + (groups.length > 5 ? ` and ${groups.length - 5} more` : '');
  return [{ kind: 'group_on_both_sides', column, side: 'test', rows, message: `column '${column}' has ${groups.length === 1 ? 'a group' : `${groups.length} groups`} on both sides (${named}) in ${describeRows(rows, 'test')}` }];
}

function timeOverlap(split: Split, column: string): Leak[] {
  const trainTimes = split.train.map((row) => readInstant(row[column]));
  const latestTrain = trainTimes.reduce<number>((latest, t) => (t !== null && t > latest ? t : latest), -Infinity);
  const rows = split.test.flatMap((row, i) => {
    const time = readInstant(row[column]);
    return time !== null && time <= latestTrain ? [i + 1] : [];
  });
  if (!rows.length) return [];
  return [{ kind: 'time_overlap', column, side: 'test', rows, message: `column '${column}' puts ${describeRows(rows, 'test')} at or before the latest train row (${new Date(latestTrain).toISOString()})` }];
}

/** A time as a message shows it: a Date at midnight UTC as its day, any other Date as its instant. */
function shown(value: unknown): string {
  if (!(value instanceof Date)) return String(value);
  const iso = value.toISOString();
  return iso.endsWith('T00:00:00.000Z') ? iso.slice(0, 10) : iso;
}
