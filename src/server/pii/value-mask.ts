import type { ColumnStats, OutputStats } from '../output-stats.ts';
import type { ColumnProfile, OutputProfile } from '../../core/quality/profile-output.ts';

/** What stands in for a personal-data value shown to a role below editor. Fixed, so it says nothing about the value. */
export const maskedMarker = '[masked]';

/** The header a download names its masked columns in (comma-separated), as JSON answers do in `masked`. */
export const maskedHeader = 'x-sluice-masked';

/**
 * The columns of one block's output whose values a caller may not see.
 * Empty for editors and admins, and for outputs without personal data.
 * Names compare without regard to case, as the `pii:` marks and rules do.
 */
export class ColumnMask {
  private readonly lower: ReadonlySet<string>;

  constructor(readonly columns: readonly string[]) {
    this.lower = new Set(columns.map((c) => c.toLowerCase()));
  }

  static readonly none = new ColumnMask([]);

  get empty(): boolean {
    return this.columns.length === 0;
  }

  has(column: string): boolean {
    return this.lower.has(column.toLowerCase());
  }

  /** A row with each masked column's value (null stays null: that a value is missing is no personal data). */
  row<T extends Readonly<Record<string, unknown>>>(row: T): T {
    if (this.empty) return row;
    return Object.fromEntries(Object.entries(row).map(([k, v]) => [k, this.has(k) && v !== null && v !== undefined ? maskedMarker : v])) as T;
  }

  rows<T extends Readonly<Record<string, unknown>>>(rows: readonly T[]): T[] {
    return rows.map((r) => this.row(r));
  }

  /** Counts stay (nulls, distinct values); smallest, largest, mean, histogram and top values go. */
  profile(profile: OutputProfile): OutputProfile {
    if (this.empty) return profile;
    return { ...profile, columns: profile.columns.map((c) => (this.has(c.name) ? maskedColumnProfile(c) : c)) };
  }

  stats(stats: OutputStats): OutputStats {
    if (this.empty) return stats;
    return { ...stats, columns: stats.columns.map((c): ColumnStats => (this.has(c.name) ? { ...c, min: c.min === null ? null : maskedMarker, max: c.max === null ? null : maskedMarker } : c)) };
  }

  /** The masked columns among `names` (an output's or a sample's), as the response names them for a "masked" badge. */
  among(names: Iterable<string>): string[] {
    return [...new Set([...names].filter((n) => this.has(n)))];
  }
}

function maskedColumnProfile(column: ColumnProfile): ColumnProfile {
  const { mean: _mean, histogram: _histogram, ...rest } = column;
  return {
    ...rest,
    ...(column.min !== undefined ? { min: maskedMarker } : {}),
    ...(column.max !== undefined ? { max: maskedMarker } : {}),
    ...(column.topValues ? { topValues: column.topValues.map((t) => ({ value: maskedMarker, count: t.count })) } : {}),
  };
}
