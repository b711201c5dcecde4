import path from 'node:path';
import type { DataPlaneSession, StoredOutput } from '../data-plane/data-plane.ts';
import { SluiceError } from '../errors.ts';
import type { Block } from '../pipeline/pipeline.ts';
import type { DriftAction, DriftEventRecord, DriftStore } from '../run-store/quality-store.ts';
import type { RunHistory } from '../run-store/run-history.ts';
import type { Logger } from '../run/logger.ts';
import { quoteIdent, quoteLiteral } from '../sql/quote.ts';
import { compareFingerprints, type DriftFinding } from './compare-fingerprints.ts';
import { breaksShape, describeDrift, failedDriftLines, gatherEvidence, logDrift, shapeReasonSql } from './drift-evidence.ts';
import type { DriftSettings } from './drift-settings.ts';
import { fingerprintOutput, type OutputFingerprint } from './fingerprint-output.ts';

export interface JudgeBlockDriftInput {
  readonly store: DriftStore;
  readonly session: DataPlaneSession;
  readonly pipeline: string;
  readonly block: Block;
  readonly runId: string;
  readonly output: StoredOutput;
  /** Columns whose values flag what the block could not decide; their values and null rates are not drift. */
  readonly flagColumns?: readonly string[] | undefined;
  readonly settings: DriftSettings;
  readonly logger: Logger;
  readonly signal?: AbortSignal | undefined;
}

export interface JudgedDrift {
  /** The output that flows on: under `discard_row`, without the rows that broke a column's shape. */
  readonly output: StoredOutput;
  /** The rows `discard_row` moved out, each with its reason. */
  readonly discarded?: StoredOutput | undefined;
  /** The output's fingerprint, to record as the next baseline once the block succeeds. */
  readonly fingerprint?: OutputFingerprint | undefined;
  readonly events: readonly DriftEventRecord[];
  /** "drift: 1 warned" for the block run's summary. */
  readonly summary?: string | undefined;
  /** Set when the policy refuses a drift: the block fails and its output is not kept. */
  readonly failure?: SluiceError | undefined;
}

/** Name of the column that tells, in `<block>__drift`, why each row was set aside. */
export const driftReasonColumn = '_sluice_drift_reason';

/**
 * Fingerprints a block's output before it is kept and compares it with the
 * fingerprint of the block's last succeeded run (its baseline), then applies
 * the block's drift policy to what changed: warn, fail, accept (`evolve`),
 * refuse schema changes (`freeze`) or move the rows that break a column's
 * established shape out (`discard_row`). Every drift is recorded with this run
 * and block. The first run of a block only sets the baseline.
 */
export async function judgeBlockDrift(input: JudgeBlockDriftInput): Promise<JudgedDrift> {
  const { store, session, block, output, settings, logger } = input;
  if (settings.on_drift === 'off' || block.role === 'test' || block.role === 'sensor') return { output, events: [] };
  const fingerprint = await fingerprintOutput(session, output);
  const baseline = await store.baselineFingerprint(input.pipeline, block.name, input.runId);
  const findings = baseline ? compareFingerprints(baseline.fingerprint, fingerprint, { nullRateJump: settings.null_rate_jump, flagColumns: input.flagColumns }) : [];
  // A retried block records its last attempt's drift, none included.
  if (!findings.length) {
    await store.putDriftEvents(input.runId, block.name, []);
    return { output, fingerprint, events: [] };
  }
  const at = new Date().toISOString();
  const events: DriftEventRecord[] = [];
  for (const finding of findings) {
    const evidence = await gatherEvidence(session, output, finding);
    events.push({
      runId: input.runId,
      pipeline: input.pipeline,
      block: block.name,
      column: finding.column,
      kind: finding.kind,
      before: finding.before,
      after: finding.after,
      action: actionFor(settings.on_drift, finding),
      message: finding.message,
      ...evidence,
      at,
    });
  }
  const failed = events.filter((e) => e.action === 'failed');
  const discarding = findings.filter((_, i) => events[i]!.action === 'discarded');
  let kept = output;
  let discarded: StoredOutput | undefined;
  if (!failed.length && discarding.length) ({ kept, discarded } = await discardRows(input, discarding));
  await store.putDriftEvents(input.runId, block.name, events);
  logDrift(logger, block.name, events, { policy: 'drift: evolve', setAsideIn: `${block.name}__drift` });
  const summary = describeDrift(events);
  if (failed.length) return { output, events, summary, failure: driftFailure(block, settings, failed) };
  // The rows that flow on keep the established shapes, so the baseline stays where it was.
  const next = discarded ? await fingerprintOutput(session, kept) : fingerprint;
  return { output: kept, events, summary, fingerprint: next, ...(discarded ? { discarded } : {}) };
}

function actionFor(policy: DriftSettings['on_drift'], finding: DriftFinding): DriftAction {
  switch (policy) {
    case 'warn':
    case 'off':
      return 'warned';
    case 'fail':
      return 'failed';
    case 'evolve':
      return 'accepted';
    case 'freeze':
      return finding.schema ? 'failed' : 'warned';
    case 'discard_row':
      // Setting rows aside cannot undo a change of columns; a rise in nulls has no rows to blame.
      if (finding.schema) return 'failed';
      return finding.establishedShape ? 'discarded' : 'warned';
  }
}

/** Moves the rows that break an established shape to `<block>__drift` beside the output; the counts must add up. */
async function discardRows(input: JudgeBlockDriftInput, findings: readonly DriftFinding[]): Promise<{ kept: StoredOutput; discarded: StoredOutput }> {
  const { session, output, block, signal } = input;
  const conditions = findings.map(breaksShape).filter((c): c is string => c !== undefined);
  const bad = conditions.join(' OR ');
  const reasons = findings.map((f, i) => `CASE WHEN ${conditions[i]} THEN ${shapeReasonSql(f)} END`);
  const source = `read_parquet(${quoteLiteral(output.location)})`;
  const location = path.join(path.dirname(output.location), `${block.name}__drift.parquet`);
  const discarded = await session.storeQuery(`SELECT *, concat_ws('; ', ${reasons.join(', ')}) AS ${quoteIdent(driftReasonColumn)} FROM ${source} WHERE ${bad}`, location, signal);
  const kept = await session.storeQuery(`SELECT * FROM ${source} WHERE NOT (${bad})`, output.location, signal);
  if (kept.rows + discarded.rows !== output.rows) {
    throw new SluiceError('drift.discard_mismatch', `block '${block.name}': drift kept ${kept.rows} and set aside ${discarded.rows} of ${output.rows} rows; the counts must add up, so the block fails`, {
      retryable: false,
      location: { ...block.declaredAt, block: block.name },
    });
  }
  return { kept, discarded };
}

function driftFailure(block: Block, settings: DriftSettings, failed: readonly DriftEventRecord[]): SluiceError {
  const lines = failedDriftLines(failed);
  const hint = settings.on_drift === 'fail' ? 'set drift: evolve to accept the new shape' : 'set drift: evolve to accept the new columns';
  return new SluiceError('quality.drift', `the output of '${block.name}' drifted from its last succeeded run (drift: ${settings.on_drift}); nothing was kept:\n  ${lines.join('\n  ')}\n(${hint})`, {
    retryable: false,
    location: { file: block.declaredAt.file, ...(block.declaredAt.line ? { line: block.declaredAt.line } : {}), block: block.name },
  });
}

/** The rows `discard_row` set aside are an output of their own, `<block>__drift`, so preview and the UI show them like any other. */
export async function recordDiscardedRows(store: Pick<RunHistory, 'upsertBlockRun'>, runId: string, block: string, discarded: StoredOutput): Promise<void> {
  const now = new Date().toISOString();
  await store.upsertBlockRun({
    runId,
    block: `${block}__drift`,
    status: 'succeeded',
    startedAt: now,
    endedAt: now,
    rowsOut: discarded.rows,
    output: discarded.location,
    columns: discarded.columns,
    summary: `${discarded.rows} row${discarded.rows === 1 ? '' : 's'} of ${block} broke an established column shape (column ${driftReasonColumn} says how)`,
  });
}
