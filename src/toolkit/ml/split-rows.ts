import type { Row } from '../../core/data-plane/data-plane.ts';
import { dataPrepError, describeRows } from './ml-error.ts';
import { seededFraction } from './seeded-fraction.ts';
import { readInstant } from './read-instant.ts';
import { isMissing, keyOf } from './row-values.ts';

/** Rows on each side of a split, in their input order. */
export interface Split<R extends Row = Row> {
  readonly train: R[];
  readonly test: R[];
}

export interface TimeSplitOptions {
  /** The column holding each row's time: a Date, an ISO date or instant, or epoch milliseconds. */
  readonly column: string;
  /** Rows strictly before this go to train, the rest (at or after it) to test. */
  readonly cutoff: string | Date;
}

/**
 * Splits rows by time, so the model never trains on the future it is tested on:
 * train holds the rows strictly before `cutoff`, test the rows at or after it.
 * A row without a readable time fails the split, naming the column and rows.
 * @example
 * const { train, test } = splitByTime(orders, { column: 'ordered_at', cutoff: '2024-06-01' });
 */
export function splitByTime<R extends Row>(rows: readonly R[], options: TimeSplitOptions): Split<R> {
  const cutoff = readInstant(options.cutoff);
  if (cutoff === null) throw dataPrepError('bad_cutoff', `cutoff ${JSON.stringify(options.cutoff)} is not a date; give YYYY-MM-DD or an ISO instant with its zone`);
  const times = rows.map((row) => readInstant(row[options.column]));
  const unreadable = times.flatMap((time, i) => (time === null ? [i + 1] : []));
  if (unreadable.length) {
    throw dataPrepError('bad_time', `column '${options.column}' has no readable time in ${describeRows(unreadable)} (give a Date, YYYY-MM-DD, an ISO instant with its zone, or epoch milliseconds)`);
  }
  return partition(rows, (_, i) => times[i]! >= cutoff);
}

export interface GroupSplitOptions {
  /** Rows sharing a value of this column (a customer, a patient) always land on the same side. */
  readonly column: string;
  /** The share of groups (not rows) sent to test, between 0 and 1. */
  readonly testFraction: number;
  readonly seed: string | number;
}

/**
 * Splits rows by group, so no group is on both sides: a group goes to test when
 * its seeded hash falls below `testFraction`. The side of a group depends only on
 * the seed and the group's value, so it keeps its side as rows are added; the
 * share of groups in test is close to `testFraction`, not exact.
 * @example
 * const { train, test } = splitByGroup(orders, { column: 'customer_id', testFraction: 0.2, seed: 42 });
 */
export function splitByGroup<R extends Row>(rows: readonly R[], options: GroupSplitOptions): Split<R> {
  checkFraction(options.testFraction);
  const missing = rows.flatMap((row, i) => (isMissing(row[options.column]) ? [i + 1] : []));
  if (missing.length) throw dataPrepError('missing_group', `column '${options.column}' has no group in ${describeRows(missing)}, so their side cannot be decided`);
  const sides = new Map<string, boolean>();
  return partition(rows, (row) => {
    const group = keyOf(row[options.column]);
    let test = sides.get(group);
    if (test === undefined) sides.set(group, (test = seededFraction(options.seed, group) < options.testFraction));
    return test;
  });
}

export interface StratifiedSplitOptions {
  /** The label whose share each side keeps (missing labels form their own stratum). */
  readonly column: string;
  readonly testFraction: number;
  readonly seed: string | number;
  /**
   * A column that identifies a row (an id). Without it rows are told apart by
   * their position, so the same seed gives the same split only for the same rows in the same order.
   */
  readonly key?: string;
}

/**
 * Splits rows so each label keeps its share on both sides: of each label's n
 * rows, round(n × testFraction) go to test, those whose seeded hash is lowest.
 * @example
 * const { train, test } = splitStratified(customers, { column: 'churned', testFraction: 0.25, seed: 7, key: 'customer_id' });
 */
export function splitStratified<R extends Row>(rows: readonly R[], options: StratifiedSplitOptions): Split<R> {
  checkFraction(options.testFraction);
  const strata = new Map<string, { index: number; rank: number }[]>();
  rows.forEach((row, index) => {
    const label = isMissing(row[options.column]) ? '\u0000missing' : keyOf(row[options.column]);
    const key = options.key === undefined ? String(index) : row[options.key];
    if (options.key !== undefined && isMissing(key)) throw dataPrepError('missing_key', `column '${options.key}' has no key in row ${index + 1}`);
    const members = strata.get(label) ?? [];
    members.push({ index, rank: seededFraction(options.seed, keyOf(key)) });
    strata.set(label, members);
  });
  const inTest = new Set<number>();
  for (const members of strata.values()) {
    members.sort((a, b) => a.rank - b.rank || a.index - b.index);
    for (const member of members.slice(0, Math.round(members.length * options.testFraction))) inTest.add(member.index);
  }
  return partition(rows, (_, i) => inTest.has(i));
}

function partition<R extends Row>(rows: readonly R[], isTest: (row: R, index: number) => boolean): Split<R> {
  const split: Split<R> = { train: [], test: [] };
  rows.forEach((row, i) => (isTest(row, i) ? split.test : split.train).push(row));
  return split;
}

function checkFraction(fraction: number): void {
  if (!(fraction >= 0 && fraction <= 1)) throw dataPrepError('bad_fraction', `testFraction ${fraction} is not between 0 and 1`);
}
