import type { DataPlaneSession, StoredOutput } from '../data-plane/data-plane.ts';
import { SluiceError } from '../errors.ts';
import type { SchemaContract } from '../pipeline/integration-schema.ts';
import { compareFingerprints, type DriftFinding } from './compare-fingerprints.ts';
import { breaksShape, failedDriftLines, gatherEvidence, logDrift, shapeReasonSql } from './drift-evidence.ts';
import type { ResolvedStreamDrift, StreamDriftAction } from './drift-settings.ts';
import { batchFingerprintSampleRows, fingerprintOutput, type OutputFingerprint } from './fingerprint-output.ts';
import type { DriftAction, DriftEventRecord, DriftStore } from '../run-store/quality-store.ts';
import type { Logger } from '../run/logger.ts';
import { quoteLiteral } from '../sql/quote.ts';
import { rejectRowsSql } from '../connectors/apply-schema-contract.ts';

/** A batch of fewer new rows than this (or a baseline batch as small) has its null rates left unjudged: a few rows swing them by chance. */
export const streamNullRateMinRows = 100;

export interface StreamDriftScope {
  readonly store: DriftStore;
  readonly session: DataPlaneSession;
  readonly pipeline: string;
  readonly stream: string;
  readonly runId: string;
  readonly contract: SchemaContract;
  /** The stream's `drift:` merged over the pipeline's (see `resolveStreamDrift`). */
  readonly settings: ResolvedStreamDrift;
  /** `<table>__rejects`, where `discard_row` sets rows aside. */
  readonly rejectsTable: string;
  readonly logger: Logger;
  readonly signal: AbortSignal;
  /** Where to store a batch's kept rows and rejects (parquet files). */
  readonly scratch: (name: string) => string;
}

/** What the schema contract did with a batch: refused it (`freeze`), or set some rows aside (`discard_row`). */
export interface BatchOutcome {
  readonly refused: boolean;
  readonly rejected: number;
}

/** One batch read from the source, judged before anything of it is written. */
export interface JudgedBatch {
  /** The rows that flow on: under `discard_row`, without those that broke a column's established shape. */
  readonly batch: StoredOutput;
  /** Those rows, in the columns of `<table>__rejects`, each with its reason. */
  readonly rejects?: StoredOutput | undefined;
  /** Records the batch's drift, each with what the contract did about it. */
  record(outcome: BatchOutcome): Promise<void>;
  /** Once the batch is committed, its rows' fingerprint is the stream's baseline. */
  committed(): Promise<void>;
}

export interface StreamDrift {
  judge(batch: StoredOutput, n: number): Promise<JudgedBatch>;
  /** Makes these rows the stream's baseline without judging them: a CDC snapshot, which replaces the table's rows. */
  rebase(rows: StoredOutput): Promise<void>;
  /** Every drift recorded in this sync so far. */
  readonly events: readonly DriftEventRecord[];
}

/**
 * Drift for an integration stream, as blocks have it: each batch read from
 * the source is fingerprinted and compared with the last batch committed
 * (from this sync or the stream's last), and what changed is recorded as drift
 * events of the run and stream, shown by `sluice drift`, the API and the UI.
 * The stream's schema contract is the policy: `evolve` accepts new, dropped
 * and retyped columns, `freeze` fails on those it refuses, `discard_row` sets
 * aside the rows that do not fit, including rows whose value breaks a text
 * column's established shape (a date format that changed); other drift warns.
 */
export function createStreamDrift(scope: StreamDriftScope): StreamDrift {
  const events: DriftEventRecord[] = [];
  let baseline: { readonly fingerprint: OutputFingerprint } | undefined;
  let loaded = false;
  const keep = async (fingerprint: OutputFingerprint): Promise<void> => {
    baseline = { fingerprint };
    await scope.store.putFingerprint({ runId: scope.runId, pipeline: scope.pipeline, block: scope.stream, fingerprint, at: new Date().toISOString() });
  };
  return {
    events,
    rebase: async (rows) => keep(await fingerprintOutput(scope.session, rows)),
    async judge(batch, n) {
      const { store, session } = scope;
      if (!loaded) {
        baseline = await store.baselineFingerprint(scope.pipeline, scope.stream, scope.runId);
        // A retried sync records its last attempt's drift.
        await store.putDriftEvents(scope.runId, scope.stream, []);
        loaded = true;
      }
      const fingerprint = await fingerprintOutput(session, batch, batchFingerprintSampleRows);
      const findings = baseline ? compareFingerprints(baseline.fingerprint, fingerprint, { nullRateJump: scope.settings.null_rate_jump, nullRateMinRows: streamNullRateMinRows }) : [];
      const evidence: Pick<DriftEventRecord, 'rows' | 'samples'>[] = [];
      for (const finding of findings) evidence.push(await gatherEvidence(session, batch, finding));
      const eventsOf = (outcome: BatchOutcome): DriftEventRecord[] => {
        const at = new Date().toISOString();
        return findings.map((finding, i) => ({
          runId: scope.runId,
          pipeline: scope.pipeline,
          block: scope.stream,
          column: finding.column,
          kind: finding.kind,
          before: finding.before,
          after: finding.after,
          action: streamDriftAction(scope.contract, scope.settings.on_drift, finding, outcome),
          message: finding.message,
          ...evidence[i],
          at,
        }));
      };
      const keepEvents = async (found: DriftEventRecord[]): Promise<void> => {
        events.push(...found);
        await store.putDriftEvents(scope.runId, scope.stream, events);
        logDrift(scope.logger, scope.stream, found, { policy: `schema_contract: ${scope.contract}`, setAsideIn: scope.rejectsTable });
      };
      if (scope.settings.on_drift === 'fail' && findings.some(isValueDrift)) {
        // Nothing of the batch is written: the contract never judges its columns, so those only warn.
        const found = eventsOf({ refused: true, rejected: 0 });
        await keepEvents(found);
        throw streamDriftFailure(scope.stream, found.filter((e) => e.action === 'failed'));
      }
      const breaking = scope.settings.on_drift === 'discard_row' ? findings.filter((f) => breaksShape(f)) : [];
      const split = breaking.length ? await setAside(scope, batch, breaking, n) : undefined;
      const next = split ? await fingerprintOutput(session, split.kept, batchFingerprintSampleRows) : fingerprint;
      return {
        batch: split?.kept ?? batch,
        rejects: split?.rejects,
        async record(outcome) {
          if (findings.length) await keepEvents(eventsOf(outcome));
        },
        committed: async () => keep(next),
      };
    },
  };
}

/**
 * What a stream's policies did about one drift. A change of columns follows
 * the contract's own judgement against the destination table: `evolve`
 * applied it, `freeze` refused it (or let it pass when the table still takes
 * the rows), `discard_row` set aside the rows that did not fit. A drift in
 * values follows the stream's `drift:`: `fail` refuses the batch,
 * `discard_row` moves the rows that break the established shape, and the
 * rest warns. Text in a number column is both: `fail` refuses it first.
 */
export function streamDriftAction(contract: SchemaContract, policy: StreamDriftAction, finding: DriftFinding, outcome: BatchOutcome): DriftAction {
  if (policy === 'fail' && isValueDrift(finding)) return 'failed';
  if (finding.schema) {
    if (policy === 'fail' && outcome.refused) return 'warned';
    switch (contract) {
      case 'evolve':
        return 'accepted';
      case 'freeze':
        return outcome.refused ? 'failed' : 'warned';
      case 'discard_row':
        return finding.kind !== 'dropped_column' && outcome.rejected > 0 ? 'discarded' : 'warned';
    }
  }
  return policy === 'discard_row' && breaksShape(finding) ? 'discarded' : 'warned';
}

/** A drift in the values a column holds (a format, text in numbers, a rise in nulls), rather than in which columns there are. */
function isValueDrift(finding: DriftFinding): boolean {
  return !finding.schema || finding.kind === 'text_in_number';
}

/** The error a stream fails with under `drift: fail`, naming each drift with its rows and a few of them. */
function streamDriftFailure(stream: string, failed: readonly DriftEventRecord[]): SluiceError {
  const lines = failedDriftLines(failed);
  return new SluiceError(
    'quality.drift',
    `stream '${stream}': a batch drifted from the rows last committed (drift: fail); nothing of it was written:\n  ${lines.join('\n  ')}\n(fix the source, or set drift: warn on the stream to let it load)`,
    { retryable: false },
  );
}

/** Splits a batch into the rows that keep every established shape and the rest, as rejects; the counts must add up. */
async function setAside(scope: StreamDriftScope, batch: StoredOutput, findings: readonly DriftFinding[], n: number): Promise<{ kept: StoredOutput; rejects: StoredOutput }> {
  const conditions = findings.map((f) => breaksShape(f)!);
  const bad = conditions.join(' OR ');
  const reason = `concat_ws('; ', ${findings.map((f, i) => `CASE WHEN ${conditions[i]} THEN ${shapeReasonSql(f)} END`).join(', ')})`;
  const source = `read_parquet(${quoteLiteral(batch.location)})`;
  const rejects = await scope.session.storeQuery(rejectRowsSql(scope.stream, source, reason, bad), scope.scratch(`drift-rejects-${n}`), scope.signal);
  const kept = await scope.session.storeQuery(`SELECT * FROM ${source} WHERE NOT (${bad})`, scope.scratch(`drift-kept-${n}`), scope.signal);
  if (kept.rows + rejects.rows !== batch.rows) {
    throw new SluiceError('drift.discard_mismatch', `stream '${scope.stream}': drift kept ${kept.rows} and set aside ${rejects.rows} of ${batch.rows} rows; the counts must add up, so the sync fails`, {
      retryable: false,
    });
  }
  return { kept, rejects };
}
