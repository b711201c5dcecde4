import { ConfigError, SluiceError } from '../errors.ts';
import type { DataPlaneSession, StoredOutput } from '../data-plane/data-plane.ts';
import type { Block } from '../pipeline/pipeline.ts';
import type { MetricPointRecord, MetricStore, MetricVerdictRecord } from '../run-store/quality-store.ts';
import type { Logger } from '../run/logger.ts';
import { defaultWindow, judgeValue, type DetectorOptions, type MetricObservation } from './anomaly-detector.ts';
import { defaultAnomalySettings } from './anomaly-settings.ts';
import { isSummable, measureOutput } from './measure-output.ts';

export interface JudgeBlockMetricsInput {
  readonly store: MetricStore;
  readonly session: DataPlaneSession;
  readonly pipeline: string;
  readonly block: Block;
  readonly runId: string;
  readonly logicalDate?: string | undefined;
  readonly output: StoredOutput;
  readonly logger: Logger;
}

export interface JudgedMetrics {
  /** The values flagged in this run. */
  readonly anomalies: readonly MetricPointRecord[];
  /** Set when the block asks to fail on an anomaly and one was found. */
  readonly failure?: SluiceError | undefined;
}

/**
 * Measures a block's stored output (row count, null rates, the sums of its
 * `metrics:` columns), judges each value against the block's history of that
 * metric, and records values and verdicts in the run store. Anomalies are
 * logged as warnings; with `anomalies: fail` they also fail the block.
 */
export async function judgeBlockMetrics(input: JudgeBlockMetricsInput): Promise<JudgedMetrics> {
  const { store, block, output, logger } = input;
  // A test's output is its failing rows and a sensor has none: neither is data whose level means anything.
  if (block.role === 'test' || block.role === 'sensor') return { anomalies: [] };
  const settings = block.anomalies ?? defaultAnomalySettings;
  const sums = block.metrics ?? [];
  for (const name of sums) {
    const column = output.columns.find((c) => c.name === name);
    const location = { file: block.declaredAt.file, line: block.declaredAt.line, block: block.name };
    if (!column) {
      throw new ConfigError('metrics.unknown_column', `block '${block.name}' lists '${name}' under metrics, but its output has no such column (columns: ${output.columns.map((c) => c.name).join(', ')})`, { location });
    }
    if (!isSummable(column)) {
      throw new ConfigError('metrics.not_numeric', `block '${block.name}' lists '${name}' under metrics, but it is ${column.type}, which cannot be summed; list numeric columns only`, { location });
    }
  }
  const measured = await measureOutput(input.session, output.location, output.columns, sums);
  const at = new Date().toISOString();
  const date = input.logicalDate?.slice(0, 10) || at.slice(0, 10);
  const judging = settings.on_anomaly !== 'off';
  const history = judging
    ? await store.listMetricHistory(input.pipeline, block.name, { before: { runId: input.runId, date, at }, limit: settings.window ?? defaultWindow })
    : [];
  const points = measured.map(({ metric, value }): MetricPointRecord => {
    const base = { runId: input.runId, pipeline: input.pipeline, block: block.name, metric, value, date, at, markedExpected: false };
    if (!judging || value === null) return base;
    const observations = history.filter((p) => p.metric === metric && p.value !== null).map(toObservation);
    const verdict = judgeValue(observations, { value, date }, detectorOptions(metric, settings));
    if (!verdict.judged) return base;
    const { expected, low, high, score, anomaly, reason } = verdict;
    return { ...base, verdict: { expected, low, high, score, anomaly, reason } satisfies MetricVerdictRecord };
  });
  await store.putMetricPoints(points);
  const anomalies = points.filter((p) => p.verdict?.anomaly);
  for (const p of anomalies) {
    logger.warn(`anomaly in ${p.metric}: ${p.verdict!.reason}. If it is expected: sluice metrics mark-expected ${input.runId} ${block.name} ${p.metric}`);
  }
  if (!anomalies.length || settings.on_anomaly !== 'fail') return { anomalies };
  const failure = new SluiceError(
    'quality.anomaly',
    `${anomalies.length === 1 ? 'an anomaly' : `${anomalies.length} anomalies`} in the output of '${block.name}' (anomalies: fail): ${anomalies.map((p) => `${p.metric} ${p.verdict!.reason}`).join('; ')}`,
    { retryable: false, location: { file: block.declaredAt.file, line: block.declaredAt.line, block: block.name } },
  );
  return { anomalies, failure };
}

/**
 * An earlier value as the detector reads it: one marked expected moves the
 * level to it; one flagged and not marked counts at the edge of its range.
 */
function toObservation(p: MetricPointRecord): MetricObservation {
  const observation = { value: p.value!, date: p.date };
  if (!p.verdict?.anomaly) return observation;
  if (p.markedExpected) return { ...observation, acceptedShift: p.value! - p.verdict.expected };
  return { ...observation, flaggedRange: { low: p.verdict.low, high: p.verdict.high } };
}

/** A null rate is judged in percentage points (1 point is noise), counts and sums as shares of their size. */
function detectorOptions(metric: string, settings: typeof defaultAnomalySettings): DetectorOptions {
  const shared = { window: settings.window, minHistory: settings.min_history, threshold: settings.threshold, season: settings.season };
  return metric.startsWith('null_rate:') ? { ...shared, minAbsoluteSpread: 0.01, minRelativeSpread: 0 } : shared;
}
