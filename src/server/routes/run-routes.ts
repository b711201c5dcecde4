import path from 'node:path';
import { Hono, type Context } from 'hono';
import { z } from 'zod';
import { ConfigError, type SerializedError } from '../../core/errors.ts';
import { withDownstream, withUpstream } from '../../core/pipeline/dag.ts';
import { loadPipeline } from '../../core/pipeline/load-pipeline.ts';
import type { Pipeline } from '../../core/pipeline/pipeline.ts';
import { runStatuses, type BlockRunRecord, type RunRecord, type RunHistory, type RunStatus } from '../../core/run-store/run-history.ts';
import type { Column } from '../../core/data-plane/data-plane.ts';
import type { BlockRunDetail } from '../block-run-view.ts';
import { intervalForDate, parseDateRange } from '../../core/run/logical-date.ts';
import { mergeVariables, newRunId } from '../../core/run/run-pipeline.ts';
import { blocksTrigger, retryTrigger, type RunTrigger } from '../../core/run/run-triggers.ts';
import { enqueueBackfill, planBackfill } from '../../scheduler/run-backfill.ts';
import type { AppDependencies } from '../app-context.ts';
import { noteAudit } from '../audit/audit-trail.ts';
import { parseBody, parseQuery, problem } from '../http-problem.ts';
import { describeRunContext } from '../run-context.ts';
import { downloadFormats, outputFile, type DownloadFormat } from '../output-download.ts';
import { atLeast, logQuery, logText } from '../log-text.ts';
import { outputStats } from '../output-stats.ts';
import { outputViewQuery, pageOutputView } from '../output-view.ts';
import type { AuthVariables } from '../session-auth.ts';
import { triggerRun } from '../trigger-run.ts';
import { readRunFiles } from '../../core/run/run-files.ts';
import { quoteLiteral } from '../../core/sql/quote.ts';
import { maskedHeader, type ColumnMask } from '../pii/value-mask.ts';
import { maskRunFiles } from '../pii/masked-run-files.ts';
import { maskRunErrors, runTextMask } from '../pii/masked-run-text.ts';
import { answer } from '../route-answer.ts';

const variables = z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).default({});
const runBody = z
  .object({
    variables,
    logical_date: z.string().optional(),
    blocks: z.array(z.string()).min(1).optional(),
    upstream: z.boolean().default(false),
  })
  .strict();
const backfillBody = z.object({ start: z.string(), end: z.string(), variables }).strict();
const retryBody = z.object({ from_block: z.string().optional() }).strict();
const wholeNumber = (what: string, min: number, max: number, fallback: number) =>
  z.coerce
    .number()
    .int(`${what} is a whole number from ${min} to ${max}`)
    .min(min, `${what} is a whole number from ${min} to ${max}`)
    .max(max, `${what} is a whole number from ${min} to ${max}`)
    .default(fallback);
const pageQuery = z.object({ offset: wholeNumber('offset', 0, Number.MAX_SAFE_INTEGER, 0), limit: wholeNumber('limit', 1, 10_000, 100) });
const statuses = runStatuses;

/** What `POST /api/pipelines/:name/runs`, `.../backfills` and `POST /api/runs/:id/retry` take. */
export type RunRequest = z.input<typeof runBody>;
export type BackfillRequest = z.input<typeof backfillBody>;
export type RetryRequest = z.input<typeof retryBody>;
export type PageQuery = typeof pageQuery;

/** A run as `GET /api/runs/:id` answers it: error locations relative to the project, null when none. */
export type RunDetailRecord = Omit<RunRecord, 'error'> & { readonly error: SerializedError | null };

/** `GET /api/runs/:id`: the run and its block runs. */
export interface RunDetail {
  readonly run: RunDetailRecord;
  readonly blocks: readonly RunBlockDetail[];
}

/** A block run in `GET /api/runs/:id`, with the JSON files it kept with the run (absent in live run events). */
export type RunBlockDetail = BlockRunDetail & {
  /** By file name, e.g. a prepare block's `fitted-transforms.json`. */
  readonly files?: Readonly<Record<string, unknown>>;
};

/** One page of a block's stored output (`GET /api/runs/:id/blocks/:block/output`); big integers as text, times as ISO text. */
export interface OutputPage {
  readonly columns: readonly Column[];
  /** Rows matching the filters, on every page. */
  readonly total: number;
  readonly offset: number;
  readonly limit: number;
  readonly rows: readonly Record<string, unknown>[];
  /** Personal-data columns whose values are the marker `[masked]` for this caller (docs/pii.md). */
  readonly masked: readonly string[];
}

/** What starting a run answers (`POST /api/pipelines/:name/runs`); `blocks` when only some blocks run. */
export interface RunStarted {
  readonly run_id: string;
  /** False when a whole run for the same logical date was already under way, and this is it. */
  readonly created: boolean;
  readonly status: RunStatus;
  readonly logical_date: string | null;
  readonly blocks?: readonly string[];
}

/** Starting, watching, retrying and cancelling runs, and reading their stored outputs. */
export function runRoutes(deps: AppDependencies): Hono<{ Variables: AuthVariables }> {
  const app = new Hono<{ Variables: AuthVariables }>();
  const { store } = deps;

  app.post('/pipelines/:name/runs', async (c) => {
    const pipeline = runnable(deps.root, c.req.param('name'));
    if (c.get('auth') === 'token' && !pipeline.apiEnabled) {
      throw new ConfigError('trigger.api_disabled', `pipeline '${pipeline.name}' does not take runs from API tokens (api.enabled is false)`);
    }
    const body = await parseBody(c, runBody);
    mergeVariables(pipeline, body.variables);
    const trigger = c.get('auth') === 'session' ? 'ui' : 'api';
    if (!body.blocks) {
      const triggered = await triggerRun(store, pipeline, { variables: body.variables, logicalDate: body.logical_date, trigger });
      if (triggered.created) deps.execute(pipeline, triggered.run, { interval: triggered.interval });
      noteAudit(c, { action: 'run.start', target: runTarget(triggered.run), detail: { created: triggered.created, logicalDate: triggered.run.logicalDate, variables: body.variables } });
      return answer(c, 'POST /api/pipelines/:name/runs', 
        { run_id: triggered.run.id, created: triggered.created, status: triggered.run.status, logical_date: triggered.run.logicalDate ?? null } satisfies RunStarted,
        triggered.created ? 202 : 200,
      );
    }
    const known = new Set(pipeline.blocks.map((b) => b.name));
    for (const name of body.blocks) if (!known.has(name)) throw new ConfigError('block.not_found', `pipeline '${pipeline.name}' has no block '${name}'`);
    const only = (body.upstream ? withUpstream(pipeline.blocks, body.blocks) : pipeline.blocks.filter((b) => body.blocks!.includes(b.name))).map((b) => b.name);
    await requireStoredUpstreams(deps, pipeline, only);
    const dated = body.logical_date !== undefined ? intervalForDate(pipeline, body.logical_date) : undefined;
    const run = await createRun(store, pipeline, { variables: body.variables, logicalDate: dated?.logicalDate, trigger: blocksTrigger(trigger) });
    deps.execute(pipeline, run, { only, interval: dated?.interval });
    noteAudit(c, { action: 'run.start', target: runTarget(run), detail: { blocks: only, logicalDate: run.logicalDate, variables: body.variables } });
    return answer(c, 'POST /api/pipelines/:name/runs', { run_id: run.id, created: true, status: run.status, logical_date: run.logicalDate ?? null, blocks: only } satisfies RunStarted, 202);
  });

  app.post('/pipelines/:name/backfills', async (c) => {
    const pipeline = runnable(deps.root, c.req.param('name'));
    const body = await parseBody(c, backfillBody);
    const range = parseDateRange(`${body.start}..${body.end}`);
    const runs = await enqueueBackfill(store, pipeline, planBackfill(pipeline, range.first, range.last), body.variables);
    noteAudit(c, { action: 'backfill.start', target: pipeline.name, detail: { start: body.start, end: body.end, runs: runs.length, created: runs.filter((r) => r.created).length } });
    return answer(c, 'POST /api/pipelines/:name/backfills', { runs: runs.map((r) => ({ logical_date: r.logicalDate, run_id: r.run.id, created: r.created, status: r.run.status })) }, 202);
  });

  app.get('/runs', async (c) => {
    const q = c.req.query();
    if (q.status && !(statuses as readonly string[]).includes(q.status)) return problem(c, 400, 'api.bad_status', `status is one of ${statuses.join(', ')}`);
    const limit = Number(q.limit ?? 50);
    if (!Number.isInteger(limit) || limit < 1 || limit > 1000) return problem(c, 400, 'api.bad_limit', 'limit is a whole number from 1 to 1000');
    for (const key of ['since', 'until'] as const) {
      if (q[key] && Number.isNaN(Date.parse(q[key]))) return problem(c, 400, 'api.bad_time', `${key} is a date or an ISO time; got '${q[key]}'`);
    }
    const runs = await store.listRuns({
      ...(q.pipeline ? { pipeline: q.pipeline } : {}),
      ...(q.status ? { status: q.status as RunStatus } : {}),
      ...(q.trigger ? { trigger: q.trigger } : {}),
      ...(q.since ? { since: new Date(q.since).toISOString() } : {}),
      ...(q.until ? { until: new Date(q.until).toISOString() } : {}),
      limit,
    });
    return answer(c, 'GET /api/runs', { runs: await maskRunErrors(c, store, runs) });
  });

  app.get('/runs/:id', async (c) => {
    const run = await findRun(store, c.req.param('id'));
    const files = blockFiles(deps.root, run.pipeline);
    const blockRuns = await store.listBlockRuns(run.id);
    const text = await runTextMask(c, store, run, blockRuns);
    const blocks = await Promise.all(
      blockRuns.map(async (b) => ({
        ...text.blockRun(describeBlockRun(deps.root, b, files.get(b.block))),
        // The JSON a block run kept with the run's outputs (a prepare block's fitted parameters), by file name.
        files: await maskRunFiles(c, run.pipeline, b.block, await readRunFiles(deps.outputs, deps.stateDir, { pipeline: run.pipeline, runId: run.id, block: b.block })),
      })),
    );
    return answer(c, 'GET /api/runs/:id', { run: text.run({ ...run, error: relativeError(deps.root, run.error) ?? null }), blocks } satisfies RunDetail);
  });

  app.get('/runs/:id/context', async (c) => {
    const run = await findRun(store, c.req.param('id'));
    return answer(c, 'GET /api/runs/:id/context', describeRunContext(deps.root, run, await store.listBlockRuns(run.id)));
  });

  app.get('/runs/:id/logs', async (c) => {
    const run = await findRun(store, c.req.param('id'));
    const q = parseQuery(logQuery, c.req.query());
    const text = await runTextMask(c, store, run);
    return answer(c, 'GET /api/runs/:id/logs', { logs: text.logs(atLeast(await store.listLogs(run.id, q.block ? { block: q.block } : {}), q.level)) });
  });

  // The same lines as a text file, for a ticket or a colleague.
  app.get('/runs/:id/logs/download', async (c) => {
    const run = await findRun(store, c.req.param('id'));
    const q = parseQuery(logQuery, c.req.query());
    const text = await runTextMask(c, store, run);
    const lines = text.logs(atLeast(await store.listLogs(run.id, q.block ? { block: q.block } : {}), q.level));
    const name = `${fileNamePart(run.pipeline)}-${fileNamePart(run.id)}${q.block ? `-${fileNamePart(q.block)}` : ''}.log`;
    return new Response(logText(lines), { headers: { 'content-type': 'text/plain; charset=utf-8', 'content-disposition': `attachment; filename="${name}"` } });
  });

  // A page of a block's stored output, sorted and filtered by the data plane: the browser never loads a whole table.
  app.get('/runs/:id/blocks/:block/output', async (c) => {
    const view = parseQuery(outputViewQuery, c.req.query());
    const { offset, limit } = parsePage(c.req.query());
    const page = await withStoredOutput(deps, c, c.req.param('id'), c.req.param('block'), (location, mask) => deps.withSession((session) => pageOutputView(session, location, view, offset, limit, mask)));
    return answer(c, 'GET /api/runs/:id/blocks/:block/output', { columns: page.columns, total: page.total, offset, limit, rows: page.rows.map(jsonRow), masked: page.masked } satisfies OutputPage);
  });

  // The same view as a file: with offset and limit one page, without them the whole output, streamed from disk.
  app.get('/runs/:id/blocks/:block/download', async (c) => {
    const runId = c.req.param('id');
    const block = c.req.param('block');
    const q = c.req.query();
    const format = (q.format ?? 'csv') as DownloadFormat;
    if (!downloadFormats.includes(format)) return problem(c, 400, 'api.bad_format', `format is one of ${downloadFormats.join(', ')}; got '${q.format}'`);
    const view = parseQuery(outputViewQuery, q);
    const page = q.offset !== undefined || q.limit !== undefined ? parsePage(q) : undefined;
    const file = await withStoredOutput(deps, c, runId, block, (location, mask) => deps.withSession((session) => outputFile(session, location, view, format, page, mask)));
    const name = `${fileNamePart(block)}-${fileNamePart(runId)}${page ? `-rows-${page.offset + 1}-${page.offset + page.limit}` : ''}.${format}`;
    return new Response(file.body, {
      headers: { 'content-type': file.type, 'content-disposition': `attachment; filename="${name}"`, ...(file.masked.length ? { [maskedHeader]: file.masked.join(',') } : {}) },
    });
  });

  app.get('/runs/:id/blocks/:block/stats', async (c) => {
    const stats = await withStoredOutput(deps, c, c.req.param('id'), c.req.param('block'), async (location, mask) => ({ stats: mask.stats(await deps.withSession((session) => outputStats(session, location))), mask }));
    return answer(c, 'GET /api/runs/:id/blocks/:block/stats', { ...stats.stats, masked: stats.mask.among(stats.stats.columns.map((col) => col.name)) });
  });

  app.post('/runs/:id/retry', async (c) => {
    const failed = await findRun(store, c.req.param('id'));
    const body = await parseBody(c, retryBody);
    if (failed.status === 'queued' || failed.status === 'running') throw new ConfigError('retry.not_finished', `run ${failed.id} is ${failed.status}; wait for it or cancel it first`);
    if (!body.from_block && failed.status === 'succeeded') throw new ConfigError('retry.not_failed', `run ${failed.id} succeeded; retry from a block to run part of it again`);
    const pipeline = runnable(deps.root, failed.pipeline);
    const blockRuns = await store.listBlockRuns(failed.id);
    let only: string[];
    if (body.from_block) {
      if (!pipeline.blocks.some((b) => b.name === body.from_block)) throw new ConfigError('block.not_found', `pipeline '${pipeline.name}' has no block '${body.from_block}'`);
      only = withDownstream(pipeline.blocks, [body.from_block]).map((b) => b.name);
    } else {
      const finished = new Set(blockRuns.filter((b) => b.status === 'succeeded').map((b) => b.block));
      only = pipeline.blocks.filter((b) => !finished.has(b.name)).map((b) => b.name);
      if (!only.length) throw new ConfigError('retry.nothing_left', `every block of run ${failed.id} succeeded; nothing to retry`);
    }
    await requireStoredUpstreams(deps, pipeline, only, failed.id);
    const dated = failed.logicalDate ? intervalForDate(pipeline, failed.logicalDate) : undefined;
    const run = await createRun(store, pipeline, {
      variables: failed.variables as Record<string, string | number | boolean>,
      logicalDate: failed.logicalDate,
      trigger: retryTrigger(failed.id),
    });
    deps.execute(pipeline, run, { only, reuseOutputsOf: failed.id, interval: dated?.interval });
    noteAudit(c, { action: 'run.retry', target: runTarget(run), detail: { retryOf: failed.id, blocks: only, ...(body.from_block ? { fromBlock: body.from_block } : {}) } });
    return answer(c, 'POST /api/runs/:id/retry', { run_id: run.id, blocks: only }, 202);
  });

  app.post('/runs/:id/cancel', async (c) => {
    const run = await findRun(store, c.req.param('id'));
    const cancelled = await store.cancelRun(run.id);
    if (!cancelled) return problem(c, 409, 'run.finished', `run ${run.id} is ${run.status}; only a queued or running run can be cancelled`);
    deps.abort(run.id);
    noteAudit(c, { action: 'run.cancel', target: runTarget(run), detail: { was: run.status } });
    return answer(c, 'POST /api/runs/:id/cancel', { run: (await runTextMask(c, store, cancelled)).run(cancelled) });
  });

  return app;
}

/** A run as an audit target, `pipeline/run id`, so a pipeline's runs filter by the prefix `pipeline/`. */
function runTarget(run: RunRecord): string {
  return `${run.pipeline}/${run.id}`;
}

/** A pipeline that can run: it loads and has at least one block. */
function runnable(root: string, name: string): Pipeline {
  const pipeline = loadPipeline(root, name);
  if (!pipeline.blocks.length) throw new ConfigError('pipeline.no_blocks', `pipeline '${pipeline.name}' has no blocks yet; add one first`);
  return pipeline;
}

async function findRun(store: Pick<RunHistory, 'getRun'>, id: string): Promise<RunRecord> {
  const run = await store.getRun(id);
  if (!run) throw new ConfigError('run.not_found', `no run '${id}'`);
  return run;
}

/**
 * Lends `work` a local file the data plane reads a block run's stored output
 * from, held until the work ends, and the columns whose values the caller
 * may not see (docs/pii.md).
 */
async function withStoredOutput<T>(deps: AppDependencies, c: Context, runId: string, block: string, work: (file: string, mask: ColumnMask) => Promise<T>): Promise<T> {
  const { store, outputs } = deps;
  const run = await findRun(store, runId);
  const record = (await store.listBlockRuns(runId)).find((b) => b.block === block);
  if (!record) throw new ConfigError('run.unknown_block_run', `run '${runId}' has no block '${block}'`);
  if (!record.output || !(await outputs.exists(record.output))) throw new ConfigError('run.no_output', `block '${block}' of run '${runId}' has no stored output`);
  const file = await outputs.read(record.output);
  try {
    const columns = record.columns?.map((col) => col.name) ?? (await deps.withSession((session) => session.describe(`SELECT * FROM read_parquet(${quoteLiteral(file)})`))).map((col) => col.name);
    return await work(file, await c.get('maskFor')(run.pipeline, block, columns));
  } finally {
    outputs.release(file);
  }
}

async function createRun(store: Pick<RunHistory, 'createRunOnce'>, pipeline: Pipeline, spec: { variables: Record<string, string | number | boolean>; logicalDate?: string | undefined; trigger: RunTrigger }): Promise<RunRecord> {
  const { run } = await store.createRunOnce({
    id: newRunId(),
    pipeline: pipeline.name,
    pipelineVersion: pipeline.version,
    logicalDate: spec.logicalDate,
    variables: spec.variables,
    trigger: spec.trigger,
    startedAt: new Date().toISOString(),
  });
  return run;
}

/**
 * The blocks left out of a partial run must have stored outputs for those
 * that read them; checked before the run exists, so a refusal leaves no run behind.
 */
async function requireStoredUpstreams({ store, outputs }: AppDependencies, pipeline: Pipeline, only: readonly string[], ofRun?: string): Promise<void> {
  const selected = new Set(only);
  const ofRunOutputs = ofRun ? new Map((await store.listBlockRuns(ofRun)).filter((b) => b.status === 'succeeded').map((b) => [b.block, b])) : undefined;
  for (const block of pipeline.blocks.filter((b) => selected.has(b.name))) {
    for (const up of block.upstream) {
      if (selected.has(up)) continue;
      const stored = ofRunOutputs ? ofRunOutputs.get(up) : await store.latestOutput(pipeline.name, up);
      if (!stored?.output || !(await outputs.exists(stored.output))) {
        throw new ConfigError('run.upstream_not_stored', `block '${block.name}' reads '${up}', which has no stored output${ofRun ? ` in run ${ofRun}` : ''}; run '${up}' too`);
      }
    }
  }
}

function blockFiles(root: string, pipelineName: string): Map<string, string> {
  try {
    const pipeline = loadPipeline(root, pipelineName);
    return new Map(pipeline.blocks.flatMap((b) => (b.language !== 'ts' && b.language !== 'sql' ? [] : [[b.name, path.relative(root, b.file)] as const])));
  } catch {
    return new Map();
  }
}

function describeBlockRun(root: string, record: BlockRunRecord, file: string | undefined): BlockRunDetail {
  const { output, ...rest } = record;
  const durationMs = record.startedAt && record.endedAt ? Date.parse(record.endedAt) - Date.parse(record.startedAt) : null;
  return { ...rest, hasOutput: Boolean(output), file: file ?? null, durationMs, error: relativeError(root, record.error) ?? null };
}

/** Error locations and the user's stack name project files relative to the project, as the editor opens them. */
export function relativeError(root: string, error: SerializedError | undefined): SerializedError | undefined {
  if (!error) return error;
  const userStack = error.userStack?.split(`file://${root}${path.sep}`).join('').split(`${root}${path.sep}`).join('');
  const located = !error.location?.file || !path.isAbsolute(error.location.file) ? error : { ...error, location: { ...error.location, file: path.relative(root, error.location.file) } };
  return userStack === undefined ? located : { ...located, userStack };
}

function parsePage(raw: Record<string, string>): { offset: number; limit: number } {
  return parseQuery(pageQuery, raw);
}

/** A name as part of a download's file name: letters, digits, dot, dash and underscore only. */
function fileNamePart(name: string): string {
  return name.replace(/[^\w.-]+/g, '_');
}

/** Values JSON cannot carry as they are, at any depth: big integers as text, dates as ISO text. */
function jsonRow(row: Record<string, unknown>): Record<string, unknown> {
  return jsonValue(row) as Record<string, unknown>;
}

function jsonValue(value: unknown): unknown {
  if (typeof value === 'bigint') return value.toString();
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) return value.map(jsonValue);
  if (value && typeof value === 'object' && !(value instanceof Uint8Array)) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, jsonValue(v)]));
  return value;
}
