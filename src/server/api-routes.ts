import type { z } from 'zod';
import type { AppDependencies } from './app-context.ts';
import type { AlertChannelRequest, AlertChannelView } from './alert-channels.ts';
import type { ConnectionCheck } from './connection-check.ts';
import type { Dashboard } from './dashboard.ts';
import type { MetricHistoryView, MetricPointView } from './metric-history.ts';
import type { OutputStats } from './output-stats.ts';
import type { outputViewQuery } from './output-view.ts';
import type { PipelineCharts } from './pipeline-charts.ts';
import type { FolderListing } from './project-folder.ts';
import type { SearchHit } from './project-search.ts';
import type { RunContext } from './run-context.ts';
import type { RunningNow } from './running-now.ts';
import type { logQuery } from './log-text.ts';
import type { SessionView, SignInRequest } from './session-auth.ts';
import type { AlertEventsRequest, AlertsOverview } from './routes/alert-routes.ts';
import type { AuditQuery } from './routes/audit-routes.ts';
import type { BlockChangeRequest, BlockTemplateInfo, ConnectorInfo, NewBlockRequest } from './routes/block-routes.ts';
import type { CleanColumnsRequest, CleanToolInfo } from './routes/clean-block-routes.ts';
import type { ConnectionRequest } from './routes/connection-routes.ts';
import type { DictionaryDecisionsRequest, DictionarySummary } from './routes/dictionary-routes.ts';
import type { FileWriteRequest } from './routes/file-routes.ts';
import type { GitBranchRequest, GitCommitRequest, GitDiscardRequest } from './routes/git-routes.ts';
import type { LineageAnswer, LineageQuery } from './routes/lineage-routes.ts';
import type { FolderQuery, SearchQuery } from './routes/look-routes.ts';
import type { MapBlockRequest, MapBlockWritten, MapSources, MapSuggestAnswer, MapSuggestRequest } from './routes/map-routes.ts';
import type { MetricHistoryQuery } from './routes/metric-routes.ts';
import type { NoCodeBlocksInfo, NoCodeSettingsRequest, PairDecisionsRequest } from './routes/no-code-block-routes.ts';
import type { ChartQuery, RunListAnswer, RunListQuery } from './routes/overview-routes.ts';
import type { NewPipelineRequest, PipelineDetail, PipelineSummary, Triggers } from './routes/pipeline-routes.ts';
import type { QualityHistoryQuery } from './routes/quality-routes.ts';
import type { BackfillRequest, OutputPage, PageQuery, RetryRequest, RunDetail, RunRequest, RunStarted } from './routes/run-routes.ts';
import type { SchedulePreview, SchedulePreviewRequest, TriggersRequest } from './routes/trigger-routes.ts';
import type { IssuedKey, NewUserRequest, UserChangeRequest, UserView } from './routes/user-routes.ts';
import type { DrainAnswer, WorkersView } from './routes/worker-routes.ts';
import type { DeadLetterDropAnswer, DeadLetterReplayAnswer, DeadLetterSelectionRequest, DeadLettersQuery, DeadLettersView, StreamMetricsQuery, StreamMetricsView, StreamsView } from './routes/stream-routes.ts';
import type { IngestAnswer } from './routes/ingest-routes.ts';
import type { Masked } from './pii/masked-samples.ts';
import type { GitStatus } from '../workspace/git.ts';
import type { GitCommitInfo } from '../workspace/git-history.ts';
import type { ConnectionView } from '../workspace/connections-file.ts';
import type { LogRecord, RunRecord, RunStatus } from '../core/run-store/run-store.ts';
import type { OutputProfile } from '../core/quality/profile-output.ts';
import type { AuditPage } from '../core/run-store/audit-log.ts';
import type { AlertResult } from '../alerts/send-alerts.ts';

/**
 * What one route takes and answers. Its path parameters come from its
 * pattern (`/runs/:id` takes `id`); `query` is what the query string may
 * carry, `body` the JSON request body, `response` the JSON answer. A route
 * that answers a file or an event stream has `response: never`: it is
 * opened as a link, never read as JSON.
 */
export interface RouteContract {
  readonly query?: object;
  readonly body?: unknown;
  readonly response: unknown;
}

/** A query string's keys as the route's zod schema reads them; each value is text on the wire. */
type QueryOf<S extends z.ZodType> = { readonly [K in keyof z.input<S>]?: z.input<S>[K] extends string | undefined ? z.input<S>[K] : string | number | undefined };

/** The store's answer to one of its calls, as the route passes it on. */
type Stored<K extends keyof AppDependencies['store']> = AppDependencies['store'][K] extends (...args: never[]) => Promise<infer A> ? A : never;

/**
 * A table entry. Its contract is a type only; the names of the query
 * parameters it takes are values too, every one of them (the type checks
 * the list is whole), so a test holds docs/api.md to them.
 */
export interface RouteEntry<C extends RouteContract> {
  readonly contract?: C;
  readonly query: readonly string[];
}
type QueryNames<C> = C extends { readonly query: infer Q } ? [names: { readonly [K in keyof Q]-?: true }] : [names?: never];
const route = <C extends RouteContract>(...[names]: QueryNames<C>): RouteEntry<C> => ({ query: names ? Object.keys(names) : [] });

/** The answer of every route that changes a pipeline's blocks: the pipeline as it is now. */
type PipelineAnswer = { readonly pipeline: PipelineDetail };
type AlertChannelsAnswer = { readonly channels: readonly AlertChannelView[] };

/**
 * Every route of the JSON API, keyed `METHOD /api/path/:param` as Hono
 * registers it, with what it takes and answers. The web UI's client
 * (web/src/api/client.ts) accepts only these keys, fills the parameters by
 * name and types the body and the answer from here; `api-routes.test.ts`
 * fails when the app registers a route the table lacks, or the table names
 * one the app does not have. Every handler answers through
 * `answer(c, 'METHOD /api/...', body)` (route-answer.ts), typed by its entry
 * here, so a handler that answers something else fails the typecheck; the
 * same test holds each handler to its own route's key.
 */
export const apiRoutes = {
  'GET /api/health': route<{ response: { readonly ok: true } }>(),
  'GET /api/session': route<{ response: SessionView }>(),
  'POST /api/session': route<{ body: SignInRequest; response: SessionView }>(),
  'DELETE /api/session': route<{ response: SessionView }>(),
  // The browser goes to these (a redirect to the provider and back); no JSON.
  'GET /api/auth/oidc/start': route<{ response: never }>(),
  'GET /api/auth/oidc/callback': route<{ query: { readonly code?: string; readonly state?: string; readonly error?: string; readonly error_description?: string }; response: never }>({ code: true, state: true, error: true, error_description: true }),

  'GET /api/pipelines': route<{ response: { readonly pipelines: readonly PipelineSummary[] } }>(),
  'POST /api/pipelines': route<{ body: NewPipelineRequest; response: PipelineAnswer & { readonly file: string } }>(),
  'GET /api/pipelines/:name': route<{ response: PipelineAnswer }>(),
  'DELETE /api/pipelines/:name': route<{ response: { readonly deleted: string } }>(),
  'GET /api/block-templates': route<{ response: { readonly templates: readonly BlockTemplateInfo[] } }>(),
  'GET /api/connectors': route<{ response: { readonly connectors: readonly ConnectorInfo[] } }>(),
  'POST /api/pipelines/:name/blocks': route<{ body: NewBlockRequest; response: PipelineAnswer }>(),
  'PATCH /api/pipelines/:name/blocks/:block': route<{ body: BlockChangeRequest; response: PipelineAnswer }>(),
  'DELETE /api/pipelines/:name/blocks/:block': route<{ response: PipelineAnswer }>(),
  'GET /api/clean-tools': route<{ response: { readonly tools: readonly CleanToolInfo[] } }>(),
  'PUT /api/pipelines/:name/blocks/:block/clean': route<{ body: CleanColumnsRequest; response: PipelineAnswer }>(),
  'GET /api/no-code-blocks': route<{ response: NoCodeBlocksInfo }>(),
  'PUT /api/pipelines/:name/blocks/:block/dedupe': route<{ body: NoCodeSettingsRequest; response: PipelineAnswer }>(),
  'PUT /api/pipelines/:name/blocks/:block/prepare': route<{ body: NoCodeSettingsRequest; response: PipelineAnswer }>(),
  'PUT /api/pipelines/:name/blocks/:block/examples': route<{ body: NoCodeSettingsRequest; response: PipelineAnswer }>(),
  'POST /api/pipelines/:name/blocks/:block/pair-decisions': route<{ body: PairDecisionsRequest; response: { readonly file: string; readonly decided: number } }>(),

  'GET /api/pipelines/:name/triggers': route<{ response: Triggers }>(),
  'PUT /api/pipelines/:name/triggers': route<{ body: TriggersRequest; response: Triggers }>(),
  'POST /api/pipelines/:name/triggers/preview': route<{ body: SchedulePreviewRequest; response: SchedulePreview }>(),

  'POST /api/pipelines/:name/runs': route<{ body: RunRequest; response: RunStarted }>(),
  'POST /api/pipelines/:name/backfills': route<{
    body: BackfillRequest;
    response: { readonly runs: readonly { readonly logical_date: string; readonly run_id: string; readonly created: boolean; readonly status: RunStatus }[] };
  }>(),
  'GET /api/runs': route<{
    query: { readonly pipeline?: string; readonly status?: RunStatus; readonly trigger?: string; readonly since?: string; readonly until?: string; readonly limit?: number };
    response: { readonly runs: readonly RunRecord[] };
  }>({ pipeline: true, status: true, trigger: true, since: true, until: true, limit: true }),
  'GET /api/runs/:id': route<{ response: RunDetail }>(),
  'GET /api/runs/:id/context': route<{ response: RunContext }>(),
  'GET /api/runs/:id/logs': route<{ query: QueryOf<typeof logQuery>; response: { readonly logs: readonly LogRecord[] } }>({ block: true, level: true }),
  // A text file, opened as a download link.
  'GET /api/runs/:id/logs/download': route<{ query: QueryOf<typeof logQuery>; response: never }>({ block: true, level: true }),
  'GET /api/runs/:id/blocks/:block/output': route<{ query: QueryOf<typeof outputViewQuery> & QueryOf<PageQuery>; response: OutputPage }>({ offset: true, limit: true, sort: true, order: true, filters: true }),
  // A CSV, JSON or Parquet file, opened as a download link.
  'GET /api/runs/:id/blocks/:block/download': route<{ query: QueryOf<typeof outputViewQuery> & QueryOf<PageQuery> & { readonly format?: string }; response: never }>({ format: true, offset: true, limit: true, sort: true, order: true, filters: true }),
  'GET /api/runs/:id/blocks/:block/stats': route<{ response: OutputStats }>(),
  'POST /api/runs/:id/retry': route<{ body: RetryRequest; response: { readonly run_id: string; readonly blocks: readonly string[] } }>(),
  'POST /api/runs/:id/cancel': route<{ response: { readonly run: RunRecord } }>(),
  // Server-sent events, read with EventSource.
  'GET /api/runs/:id/events': route<{ query: { readonly log_offset?: number }; response: never }>({ log_offset: true }),

  'GET /api/runs/:id/checks': route<{ response: { readonly checks: readonly Masked<Stored<'listCheckResults'>[number]>[] } }>(),
  'GET /api/runs/:id/drift': route<{ response: { readonly drift: readonly Masked<Stored<'listDriftEvents'>[number]>[] } }>(),
  'GET /api/pipelines/:name/drift': route<{ query: QueryOf<QualityHistoryQuery>; response: { readonly drift: readonly Masked<Stored<'listDriftEvents'>[number]>[] } }>({ limit: true }),
  'GET /api/pipelines/:name/blocks/:block/checks/:check/history': route<{ query: QueryOf<QualityHistoryQuery>; response: { readonly history: readonly Masked<Stored<'checkHistory'>[number]>[] } }>({ limit: true }),
  'GET /api/runs/:id/blocks/:block/profile': route<{ response: { readonly profile: OutputProfile; readonly masked?: readonly string[] } }>(),

  'GET /api/files': route<{ query: { readonly path: string }; response: { readonly path: string; readonly content: string; readonly language: string } }>({ path: true }),
  'PUT /api/files': route<{ body: FileWriteRequest; response: { readonly path: string; readonly bytes: number } }>(),
  'GET /api/files/list': route<{ query: QueryOf<FolderQuery>; response: FolderListing }>({ path: true }),
  'GET /api/search': route<{ query: QueryOf<SearchQuery>; response: { readonly results: readonly SearchHit[] } }>({ q: true, limit: true }),

  'GET /api/connections': route<{ response: { readonly connections: readonly ConnectionView[]; readonly builtin: readonly ConnectionView[] } }>(),
  'POST /api/connections/test': route<{ body: ConnectionRequest; response: ConnectionCheck }>(),
  'POST /api/connections': route<{ body: ConnectionRequest; response: { readonly connection: ConnectionView } }>(),
  'PUT /api/connections/:name': route<{ body: ConnectionRequest; response: { readonly connection: ConnectionView } }>(),
  'DELETE /api/connections/:name': route<{ response: { readonly deleted: string } }>(),
  'POST /api/connections/:name/test': route<{ response: ConnectionCheck }>(),

  'GET /api/git/status': route<{ response: GitStatus }>(),
  'GET /api/git/diff': route<{ query: { readonly path?: string }; response: { readonly diff: string } }>({ path: true }),
  'POST /api/git/commit': route<{ body: GitCommitRequest; response: { readonly commit: string } }>(),
  'POST /api/git/discard': route<{ body: GitDiscardRequest; response: GitStatus }>(),
  'GET /api/git/log': route<{ query: { readonly limit?: number }; response: { readonly commits: readonly GitCommitInfo[] } }>({ limit: true }),
  'GET /api/git/commits/:id': route<{ response: { readonly diff: string } }>(),
  'POST /api/git/branches': route<{ body: GitBranchRequest; response: GitStatus }>(),

  'GET /api/alerts': route<{ response: AlertsOverview }>(),
  'POST /api/alerts/project': route<{ body: AlertChannelRequest; response: AlertChannelsAnswer }>(),
  'PATCH /api/alerts/project/:index': route<{ body: AlertEventsRequest; response: AlertChannelsAnswer }>(),
  'DELETE /api/alerts/project/:index': route<{ response: AlertChannelsAnswer }>(),
  'POST /api/alerts/project/:index/test': route<{ response: AlertResult }>(),
  'POST /api/alerts/pipelines/:name': route<{ body: AlertChannelRequest; response: AlertChannelsAnswer }>(),
  'PATCH /api/alerts/pipelines/:name/:index': route<{ body: AlertEventsRequest; response: AlertChannelsAnswer }>(),
  'DELETE /api/alerts/pipelines/:name/:index': route<{ response: AlertChannelsAnswer }>(),
  'POST /api/alerts/pipelines/:name/:index/test': route<{ response: AlertResult }>(),

  'GET /api/dictionaries': route<{ response: { readonly dictionaries: readonly DictionarySummary[] } }>(),
  'GET /api/dictionaries/:name': route<{ response: DictionarySummary }>(),
  'POST /api/dictionaries/:name/decisions': route<{ body: DictionaryDecisionsRequest; response: DictionarySummary }>(),

  'GET /api/run-list': route<{ query: QueryOf<RunListQuery>; response: RunListAnswer }>({ pipeline: true, status: true, trigger: true, backfill: true, since: true, until: true, offset: true, limit: true }),
  'GET /api/dashboard': route<{ response: Dashboard }>(),
  'GET /api/running-now': route<{ response: RunningNow }>(),
  'GET /api/pipelines/:name/charts': route<{ query: QueryOf<ChartQuery>; response: PipelineCharts }>({ runs: true }),
  'GET /api/lineage': route<{ query: QueryOf<LineageQuery>; response: LineageAnswer }>({ table: true }),
  'GET /api/pipelines/:name/blocks/:block/metrics': route<{ query: QueryOf<MetricHistoryQuery>; response: MetricHistoryView }>({ limit: true }),
  'GET /api/runs/:id/anomalies': route<{ response: { readonly anomalies: readonly (MetricPointView & { readonly block: string; readonly metric: string })[] } }>(),
  'POST /api/runs/:id/blocks/:block/metrics/:metric/expected': route<{ body: Record<string, never>; response: MetricPointView }>(),

  'GET /api/map/sources': route<{ response: MapSources }>(),
  'POST /api/map/suggest': route<{ body: MapSuggestRequest; response: MapSuggestAnswer }>(),
  'POST /api/map/blocks': route<{ body: MapBlockRequest; response: MapBlockWritten }>(),

  'GET /api/streams': route<{ response: StreamsView }>(),
  'GET /api/streams/:name/metrics': route<{ query: QueryOf<StreamMetricsQuery>; response: StreamMetricsView }>({ since: true, limit: true }),
  'GET /api/streams/:name/dead-letters': route<{ query: QueryOf<DeadLettersQuery>; response: DeadLettersView }>({ limit: true }),
  'POST /api/streams/:name/dead-letters/replay': route<{ body: DeadLetterSelectionRequest; response: DeadLetterReplayAnswer }>(),
  'POST /api/streams/:name/dead-letters/drop': route<{ body: DeadLetterSelectionRequest; response: DeadLetterDropAnswer }>(),
  // Records in any format the pipeline's http source reads (JSON, NDJSON, CSV), not a JSON body of this table's.
  'POST /api/ingest/:pipeline': route<{ body: unknown; response: IngestAnswer }>(),

  'GET /api/workers': route<{ response: WorkersView }>(),
  'POST /api/workers/:id/drain': route<{ response: DrainAnswer }>(),

  'GET /api/audit': route<{ query: QueryOf<AuditQuery>; response: Omit<AuditPage, 'next'> & { readonly next: number | null } }>({ actor: true, action: true, target: true, since: true, until: true, limit: true, cursor: true }),
  // The generated documentation site's files, opened in the browser.
  'GET /api/docs-site': route<{ response: never }>(),
  'GET /api/docs-site/:file': route<{ response: never }>(),

  'GET /api/users': route<{ response: { readonly users: readonly UserView[] } }>(),
  'POST /api/users': route<{ body: NewUserRequest; response: { readonly user: UserView } }>(),
  'PATCH /api/users/:name': route<{ body: UserChangeRequest; response: { readonly user: UserView } }>(),
  'DELETE /api/users/:name': route<{ response: { readonly removed: string } }>(),
  'POST /api/users/:name/key': route<{ response: IssuedKey }>(),
  'DELETE /api/users/:name/key': route<{ response: { readonly user: string; readonly revoked: boolean } }>(),
} satisfies Record<string, RouteEntry<RouteContract>>;

/** The contract of every route, by its key: what the web UI's client reads. */
export type ApiRoutes = { readonly [K in keyof typeof apiRoutes]: NonNullable<(typeof apiRoutes)[K]['contract']> };

/** Each route's answer, by its key: what `answer()` holds a handler's JSON to. */
type TableAnswers = { readonly [K in keyof ApiRoutes]: ApiRoutes[K]['response'] };

declare module './route-answer.ts' {
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type
  interface RouteAnswers extends TableAnswers {}
}
