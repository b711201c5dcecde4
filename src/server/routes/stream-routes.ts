import { Hono } from 'hono';
import { z } from 'zod';
import { SluiceError } from '../../core/errors.ts';
import { loadProject } from '../../core/project/load-project.ts';
import { createLogger } from '../../core/run/logger.ts';
import type { StreamMetricSample } from '../../core/run-store/stream-metrics-store.ts';
import { DeadLetterQueue, loadStreamingPipeline, readStreamOverview, type DeadLetterEntry, type DeadLetterSelection, type StreamOverview } from '../../streaming/index.ts';
import type { AppDependencies } from '../app-context.ts';
import { noteAudit } from '../audit/audit-trail.ts';
import { parseBody, parseQuery } from '../http-problem.ts';
import type { AuthVariables } from '../session-auth.ts';
import { maskedText } from '../pii/text-mask.ts';
import { answer } from '../route-answer.ts';

/** What `GET /api/streams` answers: every streaming pipeline of the project with its state and newest figures. */
export interface StreamsView {
  readonly streams: readonly StreamOverview[];
}

/** What `GET /api/streams/:name/metrics` answers: the samples, oldest first. */
export interface StreamMetricsView {
  readonly pipeline: string;
  readonly samples: readonly StreamMetricSample[];
}

/** What `GET /api/streams/:name/dead-letters` answers: oldest first; `more` when the limit cut the list. */
export interface DeadLettersView {
  readonly pipeline: string;
  readonly letters: readonly DeadLetterEntry[];
  readonly more: boolean;
  /** Set when each letter's payload and reason are the marker for this caller (docs/pii.md). */
  readonly masked?: boolean;
}

/** What `POST /api/streams/:name/dead-letters/replay` answers; `error` says why a replay stopped early (the rest stay). */
export interface DeadLetterReplayAnswer {
  readonly replayed: number;
  readonly error?: string | undefined;
}

/** What `POST /api/streams/:name/dead-letters/drop` answers. */
export interface DeadLetterDropAnswer {
  readonly dropped: number;
}

const metricsQuery = z.object({
  since: z.string().min(1).max(64).optional(),
  limit: z.coerce.number().int().min(1).max(2000).optional(),
});
const lettersQuery = z.object({ limit: z.coerce.number().int().min(1).max(1000).default(200) });
const selectionBody = z.union([z.object({ id: z.string().min(1).max(500) }).strict(), z.object({ all: z.literal(true) }).strict()]);

/** What the dead-letter routes read and take: the query of `GET .../dead-letters` and `.../metrics`, the body of replay and drop. */
export type StreamMetricsQuery = typeof metricsQuery;
export type DeadLettersQuery = typeof lettersQuery;
export type DeadLetterSelectionRequest = z.input<typeof selectionBody>;

/**
 * The streaming pipelines, as `sluice stream status` and `sluice stream dlq`
 * give them: each one's state and newest metrics, its metrics history from
 * the metadata store, and its dead letters to list, replay into the source or
 * drop.
 */
export function streamRoutes(deps: AppDependencies): Hono<{ Variables: AuthVariables }> {
  const app = new Hono<{ Variables: AuthVariables }>();

  app.get('/streams', async (c) => {
    const project = loadProject(deps.root);
    return answer(c, 'GET /api/streams', { streams: await readStreamOverview(project.root, project.stateDir, deps.store.streamMetrics) } satisfies StreamsView);
  });

  app.get('/streams/:name/metrics', async (c) => {
    const name = c.req.param('name');
    const q = parseQuery(metricsQuery, c.req.query());
    streamingPipeline(deps, name);
    return answer(c, 'GET /api/streams/:name/metrics', { pipeline: name, samples: await deps.store.streamMetrics.history(name, q) } satisfies StreamMetricsView);
  });

  app.get('/streams/:name/dead-letters', async (c) => {
    const name = c.req.param('name');
    const q = parseQuery(lettersQuery, c.req.query());
    // One more than asked tells whether there are more.
    const letters = await withQueue(deps, name, (queue) => queue.list(q.limit + 1));
    // A dead letter is a whole record and the reason it failed: hidden whole from a role below editor where the stream may carry personal data.
    const hidden = (await c.get('textMaskFor')(name, [])).hides(undefined);
    const shown = letters.slice(0, q.limit).map((l) => (hidden ? { ...l, payload: maskedText, reason: maskedText } : l));
    return answer(c, 'GET /api/streams/:name/dead-letters', { pipeline: name, letters: shown, more: letters.length > q.limit, ...(hidden ? { masked: true } : {}) } satisfies DeadLettersView);
  });

  app.post('/streams/:name/dead-letters/replay', async (c) => {
    const name = c.req.param('name');
    const selection = toSelection(await parseBody(c, selectionBody));
    const result = await withQueue(deps, name, (queue) => queue.replay(selection));
    noteAudit(c, { action: 'stream.dlq_replay', target: name, detail: { selection, replayed: result.replayed } });
    const hidden = (await c.get('textMaskFor')(name, [])).hides(undefined);
    return answer(c, 'POST /api/streams/:name/dead-letters/replay', { replayed: result.replayed, ...(result.error ? { error: hidden ? maskedText : result.error.message } : {}) } satisfies DeadLetterReplayAnswer);
  });

  app.post('/streams/:name/dead-letters/drop', async (c) => {
    const name = c.req.param('name');
    const selection = toSelection(await parseBody(c, selectionBody));
    const dropped = await withQueue(deps, name, (queue) => queue.drop(selection));
    noteAudit(c, { action: 'stream.dlq_drop', target: name, detail: { selection, dropped } });
    return answer(c, 'POST /api/streams/:name/dead-letters/drop', { dropped } satisfies DeadLetterDropAnswer);
  });

  return app;
}

function toSelection(body: z.output<typeof selectionBody>): DeadLetterSelection {
  return 'id' in body ? { id: body.id } : 'all';
}

function streamingPipeline(deps: AppDependencies, name: string) {
  try {
    return loadStreamingPipeline(deps.root, name);
  } catch (error) {
    if (error instanceof SluiceError && error.code === 'pipeline.bad_name') throw new SluiceError('pipeline.not_found', error.message, { kind: 'config' });
    throw error;
  }
}

async function withQueue<T>(deps: AppDependencies, name: string, work: (queue: DeadLetterQueue) => Promise<T>): Promise<T> {
  const project = loadProject(deps.root);
  const pipeline = streamingPipeline(deps, name);
  const logger = createLogger(() => undefined);
  return deps.withSession(async (session) => {
    const queue = await DeadLetterQueue.open(project, deps.connectors, pipeline, session, logger);
    try {
      return await work(queue);
    } finally {
      await queue.close();
    }
  });
}
