import { assertNever, formatLocation, type ErrorLocation } from '../core/errors.ts';
import { mask } from '../core/project/secrets.ts';
import type { BlockRunRecord, RunRecord, RunStatus } from '../core/run-store/run-store.ts';
import type { AlertEventKind } from '../core/pipeline/alert-schema.ts';

/** What happened to a run, as every alert channel tells it. */
export interface AlertEvent {
  readonly kind: AlertEventKind;
  readonly pipeline: string;
  readonly runId: string;
  readonly status: RunStatus;
  readonly logicalDate?: string | undefined;
  /** ISO timestamps. */
  readonly startedAt: string;
  readonly endedAt?: string | undefined;
  readonly durationMs?: number | undefined;
  /** For a deadline alert: when the run should have finished (ISO timestamp). */
  readonly deadline?: string | undefined;
  readonly failedBlock?: string | undefined;
  readonly error?:
    | { readonly code: string; readonly message: string; readonly location?: ErrorLocation | undefined }
    | undefined;
  /** A link to the run in the web UI, when the project configures its base URL. */
  readonly runUrl?: string | undefined;
  /** For an anomaly alert: the flagged metric values, each with why. */
  readonly anomalies?: readonly { readonly block: string; readonly metric: string; readonly reason: string }[] | undefined;
  /** For a drift alert: what changed in which block's output, and what its drift policy did. */
  readonly drift?: readonly { readonly block: string; readonly column: string; readonly message: string; readonly action: string }[] | undefined;
  /** Sent from the web UI's "Send test": no run happened. */
  readonly test?: boolean | undefined;
  /** For a streaming pipeline that keeps failing: a stream has no run, so `runId` reads `stream:NAME`. */
  readonly stream?: { readonly failuresInARow: number; readonly restartInMs: number } | undefined;
}

export interface AlertMessage {
  /** One line: a subject or a heading. */
  readonly title: string;
  /** Plain text, one fact per line. */
  readonly text: string;
}

/**
 * Builds the event for a finished (or overdue) run from its records.
 * `baseUrl` is where the web UI is served; the link is `BASE/runs/RUN_ID`.
 * @example
 * const event = createAlertEvent({ kind: 'failure', run, blocks, baseUrl: 'https://sluice.example.com' });
 */
export function createAlertEvent(input: {
  readonly kind: AlertEventKind;
  readonly run: RunRecord;
  readonly blocks?: readonly BlockRunRecord[] | undefined;
  readonly baseUrl?: string | undefined;
  readonly deadline?: string | undefined;
  readonly anomalies?: AlertEvent['anomalies'];
  readonly drift?: AlertEvent['drift'];
}): AlertEvent {
  const { kind, run, blocks = [], baseUrl, deadline, anomalies, drift } = input;
  const failed = blocks.find((block) => block.status === 'failed');
  const error = run.error ?? failed?.error;
  const durationMs = run.endedAt ? Date.parse(run.endedAt) - Date.parse(run.startedAt) : undefined;
  return {
    kind,
    pipeline: run.pipeline,
    runId: run.id,
    status: run.status,
    logicalDate: run.logicalDate,
    startedAt: run.startedAt,
    endedAt: run.endedAt,
    durationMs: Number.isFinite(durationMs) ? durationMs : undefined,
    deadline,
    failedBlock: failed?.block ?? error?.location?.block,
    error: error && { code: error.code, message: error.message, location: error.location },
    runUrl: baseUrl ? runLink(baseUrl, run.id) : undefined,
    ...(anomalies?.length ? { anomalies } : {}),
    ...(drift?.length ? { drift } : {}),
  };
}

/**
 * The `failure` event for a streaming pipeline that its supervisor has seen
 * fail `failuresInARow` times in a row; it is restarted in `restartInMs`.
 */
export function createStreamFailureEvent(input: { readonly pipeline: string; readonly error: Error & { code?: unknown; location?: ErrorLocation }; readonly failuresInARow: number; readonly restartInMs: number; readonly now?: Date }): AlertEvent {
  const { pipeline, error, failuresInARow, restartInMs } = input;
  return {
    kind: 'failure',
    pipeline,
    runId: `stream:${pipeline}`,
    status: 'failed',
    startedAt: (input.now ?? new Date()).toISOString(),
    error: { code: typeof error.code === 'string' ? error.code : 'stream.failed', message: error.message, location: error.location },
    stream: { failuresInARow, restartInMs },
  };
}

/**
 * The alert a finished run calls for: `failure` for a failed run, `success`
 * for a succeeded one. A cancelled run was stopped on purpose and calls for
 * none, nor does a run still queued or running.
 */
export function alertKindForStatus(status: RunStatus): AlertEventKind | undefined {
  switch (status) {
    case 'failed':
      return 'failure';
    case 'succeeded':
      return 'success';
    case 'cancelled':
    case 'queued':
    case 'running':
      return undefined;
    default:
      return assertNever(status);
  }
}

export function runLink(baseUrl: string, runId: string): string {
  return `${baseUrl.replace(/\/+$/, '')}/runs/${encodeURIComponent(runId)}`;
}

/** What the event says about the run, e.g. "failed" or "missed its deadline". */
export function describeOutcome(event: AlertEvent): string {
  switch (event.kind) {
    case 'failure':
      return event.status === 'cancelled' ? 'was cancelled' : 'failed';
    case 'success':
      return 'succeeded';
    case 'deadline':
      return 'missed its deadline';
    case 'anomaly':
      return event.anomalies?.length === 1 ? 'produced an anomalous value' : 'produced anomalous values';
    case 'drift':
      return 'produced output that drifted from its last run';
    default:
      return assertNever(event.kind);
  }
}

/** The error's place in the user's files (`file:line:column`), without the block, which is named apart. */
export function describeErrorLocation(location: ErrorLocation | undefined): string {
  return location ? formatLocation({ ...location, block: undefined }) : '';
}

/** The error as one line: `[code] file:line: message`. */
export function describeError(error: NonNullable<AlertEvent['error']>): string {
  const where = describeErrorLocation(error.location);
  return `[${error.code}] ${where ? `${where}: ` : ''}${error.message}`;
}

/**
 * A title and a plain-text body naming the pipeline, the run, the failed
 * block, the error with its file and line, and the link to the run.
 * Registered secrets are masked.
 */
export function formatAlert(event: AlertEvent): AlertMessage {
  if (event.test) {
    return { title: mask(`Sluice: test alert for ${event.pipeline}`), text: mask(`A test alert sent from the Sluice web UI for ${event.pipeline}: this channel works. No run happened.`) };
  }
  if (event.stream) {
    const { failuresInARow, restartInMs } = event.stream;
    const lines = [
      `Streaming pipeline ${event.pipeline} failed ${failuresInARow} times in a row; it is restarted in ${formatDuration(restartInMs)}, and its unacknowledged messages wait in the broker.`,
      event.error && `Error: ${describeError(event.error)}`,
      `See: sluice stream status`,
    ];
    return { title: mask(`Sluice: stream ${event.pipeline} keeps failing`), text: mask(lines.filter(Boolean).join('\n')) };
  }
  const title = `Sluice: pipeline ${event.pipeline} ${describeOutcome(event)}`;
  const lines = [
    `Pipeline ${event.pipeline} ${describeOutcome(event)}.`,
    `Run: ${event.runId} (${event.status})`,
    event.logicalDate && `Logical date: ${event.logicalDate}`,
    // A queued run has not started: its record's start time is when it was queued.
    `${event.status === 'queued' ? 'Queued' : 'Started'}: ${event.startedAt}`,
    event.endedAt && `Ended: ${event.endedAt}`,
    event.durationMs !== undefined && `Duration: ${formatDuration(event.durationMs)}`,
    event.deadline && `Deadline: ${event.deadline}`,
    event.failedBlock && `Failed block: ${event.failedBlock}`,
    event.error && `Error: ${describeError(event.error)}`,
    ...(event.anomalies ?? []).map((a) => `Anomaly in ${a.block} ${a.metric}: ${a.reason}`),
    ...(event.drift ?? []).map((d) => `Drift in ${d.block}: ${d.message} (${d.action})`),
    event.runUrl && `Open the run: ${event.runUrl}`,
  ];
  return { title: mask(title), text: mask(lines.filter(Boolean).join('\n')) };
}

export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const minutes = Math.floor(ms / 60_000);
  const seconds = Math.round((ms % 60_000) / 1000);
  return minutes < 60 ? `${minutes} min ${seconds} s` : `${Math.floor(minutes / 60)} h ${minutes % 60} min`;
}

/**
 * The event with registered secrets masked in every string: a run's error
 * message may quote a connection's settings, and receivers must not see them.
 */
export function maskEvent(event: AlertEvent): AlertEvent {
  return maskStrings(event) as AlertEvent;
}

function maskStrings(value: unknown): unknown {
  if (typeof value === 'string') return mask(value);
  if (Array.isArray(value)) return value.map(maskStrings);
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, maskStrings(item)]));
  }
  return value;
}
