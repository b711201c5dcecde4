/**
 * Every shape the HTTP API (docs/api.md) answers, named where the route that
 * produces it is written, and gathered here for its clients. The web UI
 * imports these types only (`import type`), so its build carries none of the
 * server's code, and a handler that changes what it answers fails the UI's
 * typecheck wherever the UI reads it. Types only: nothing here runs.
 */
export type { ErrorLocation, SerializedError } from '../core/errors.ts';
export type { Column } from '../core/data-plane/data-plane.ts';
export type { BlockLanguage } from '../core/pipeline/pipeline.ts';
export type { BlockRole, VariableValue } from '../core/pipeline/pipeline-schema.ts';
export type { TriggerKind } from '../core/run/run-triggers.ts';
export type { BlockRunStatus, DriftEventRecord, LogLevel, LogRecord, RunRecord, RunStatus } from '../core/run-store/run-store.ts';
export type { AlertEventKind } from '../core/pipeline/alert-schema.ts';
export type { AlertResult } from '../alerts/send-alerts.ts';
export type { AuditEntry } from '../core/run-store/audit-log.ts';
export type { CheckKind, CheckSeverity } from '../core/quality/check-spec.ts';
export type { CheckResultRecord, CheckStatus } from '../core/quality/check-result.ts';
export type { ColumnProfile, OutputProfile, ProfileSample } from '../core/quality/profile-output.ts';
export type { PendingValue } from '../toolkit/dictionary/pending-review.ts';
export type { ReviewDecision } from '../toolkit/dictionary/record-decisions.ts';
export type { FieldSuggestion } from '../toolkit/mapping/suggest-field-mapping.ts';
export type { GitChange, GitStatus } from '../workspace/git.ts';
export type { GitCommitInfo } from '../workspace/git-history.ts';
export type { ConnectionView } from '../workspace/connections-file.ts';
export type { ApiErrorBody } from './http-problem.ts';
export type { SessionView } from './session-auth.ts';
export type { IssuedKey, UserView } from './routes/user-routes.ts';
export type { Role } from '../core/run-store/user-store.ts';
export type { AlertChannelView } from './alert-channels.ts';
export type { MetricHistoryView, MetricPointView } from './metric-history.ts';
export type { RunContext, RunExport } from './run-context.ts';
export type { SearchHit, SearchKind } from './project-search.ts';
export type { JsonSchema } from './settings-json-schema.ts';
export type { BlockRunDetail, BlockRunView } from './block-run-view.ts';
export type { ColumnStats, OutputStats } from './output-stats.ts';
export type { Masked } from './pii/masked-samples.ts';
export type { Dashboard, FailedRun, NextTrigger } from './dashboard.ts';
export type { RunningNow, RunningRun } from './running-now.ts';
export type { BackfillProgress, RunListRow } from './run-list.ts';
export type { ChartRun, PipelineCharts } from './pipeline-charts.ts';
export type { BlockSpec, PipelineDetail, PipelineSummary, Triggers } from './routes/pipeline-routes.ts';
export type { BlockTemplateInfo, ConnectorInfo } from './routes/block-routes.ts';
export type { CleanToolInfo } from './routes/clean-block-routes.ts';
export type { NoCodeBlocksInfo } from './routes/no-code-block-routes.ts';
export type { AlertsOverview } from './routes/alert-routes.ts';
export type { DictionarySummary } from './routes/dictionary-routes.ts';
export type { OutputPage, RunBlockDetail, RunDetail, RunDetailRecord, RunStarted } from './routes/run-routes.ts';
export type { RunListAnswer } from './routes/overview-routes.ts';
export type { DrainAnswer, WorkersView } from './routes/worker-routes.ts';
export type { DeadLetterDropAnswer, DeadLetterReplayAnswer, DeadLettersView, StreamMetricsView, StreamsView } from './routes/stream-routes.ts';
export type { StreamMetricSample } from '../core/run-store/stream-metrics-store.ts';
export type { StreamDisplayState, StreamOverview } from '../streaming/stream-overview.ts';
export type { StreamHeartbeat } from '../streaming/stream-heartbeat.ts';
export type { DeadLetterEntry } from '../streaming/dead-letter-queue.ts';
export type { IngestAnswer } from './routes/ingest-routes.ts';
export type { RejectedRecord } from '../streaming/sources/ingest-endpoints.ts';
export type { QueueStats, WorkerRecord } from '../executor/block-run-ledger.ts';
export type { ApiRoutes, RouteContract } from './api-routes.ts';
export type { LineageAnswer } from './routes/lineage-routes.ts';
export type { MapBlockWritten, MapSources, MapSuggestAnswer, SampledSide } from './routes/map-routes.ts';
export type { SchedulePreview } from './routes/trigger-routes.ts';
export type { ConnectionCheck } from './connection-check.ts';
export type { FolderListing } from './project-folder.ts';
