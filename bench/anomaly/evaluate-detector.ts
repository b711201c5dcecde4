import { judgeValue, type DetectorOptions, type MetricObservation } from '../../src/core/quality/anomaly-detector.ts';
import type { LabelledSeries, SeriesKind } from './labelled-series.ts';

export interface ShiftScore {
  readonly kind: SeriesKind;
  readonly shift: number;
  readonly series: number;
  /** Shifts flagged on the day they started, as a share of the series. */
  readonly firstDay: number;
  /** Shifts flagged within their first three days. */
  readonly withinThreeDays: number;
}

export interface NormalScore {
  readonly kind: SeriesKind;
  /** Normal values the detector judged (after its minimum history). */
  readonly judged: number;
  readonly falseAlarms: number;
  /** False alarms per 100 judged normal values. */
  readonly per100: number;
}

/**
 * Replays each series day by day as the product does: every value is judged
 * against the earlier ones, and a flagged value enters the history at the
 * edge of its normal range (nobody marks it expected here).
 */
export function evaluateDetector(set: readonly LabelledSeries[], options: DetectorOptions = {}): { shifts: ShiftScore[]; normal: NormalScore[] } {
  const shiftTally = new Map<string, { kind: SeriesKind; shift: number; series: number; firstDay: number; withinThreeDays: number }>();
  const normalTally = new Map<SeriesKind, { judged: number; falseAlarms: number }>();
  for (const series of set) {
    const history: MetricObservation[] = [];
    const flagged: boolean[] = [];
    for (const point of series.points) {
      const verdict = judgeValue(history, point, options);
      const anomaly = verdict.judged && verdict.anomaly;
      flagged.push(anomaly);
      history.push({ value: point.value, date: point.date, ...(anomaly ? { flaggedRange: { low: verdict.low, high: verdict.high } } : {}) });
      if (verdict.judged && !point.anomaly) {
        const tally = normalTally.get(series.kind) ?? { judged: 0, falseAlarms: 0 };
        tally.judged += 1;
        if (anomaly) tally.falseAlarms += 1;
        normalTally.set(series.kind, tally);
      }
    }
    if (series.shiftDay === undefined) continue;
    const key = `${series.kind} ${series.shift}`;
    const tally = shiftTally.get(key) ?? { kind: series.kind, shift: series.shift, series: 0, firstDay: 0, withinThreeDays: 0 };
    tally.series += 1;
    if (flagged[series.shiftDay]) tally.firstDay += 1;
    if (flagged.slice(series.shiftDay, series.shiftDay + 3).some(Boolean)) tally.withinThreeDays += 1;
    shiftTally.set(key, tally);
  }
  return {
    shifts: [...shiftTally.values()].map((t) => ({ ...t, firstDay: t.firstDay / t.series, withinThreeDays: t.withinThreeDays / t.series })),
    normal: [...normalTally].map(([kind, t]) => ({ kind, ...t, per100: (100 * t.falseAlarms) / t.judged })),
  };
}
