import { Hono } from 'hono';
import { streamSSE } from 'hono/streaming';
import { ConfigError } from '../../core/errors.ts';
import type { AppDependencies } from '../app-context.ts';
import { blockRunView } from '../block-run-view.ts';
import { runTextMask } from '../pii/masked-run-text.ts';

const pollMs = 250;
/** How often a live stream signs its caller in again: a removed user or a changed role ends it within this. */
const recheckMs = 1000;
const finished = new Set(['succeeded', 'failed', 'cancelled']);

/**
 * `GET /runs/:id/events`: Server-Sent Events for a run: `log` for each new
 * log line, `block` when a block run changes, `run` when the run does; the
 * stream ends once the run has finished. It reads the run store, so it
 * follows runs of any process (scheduler, CLI, this server). Log lines are
 * replayed from the store from the first (or from `log_offset`, the count a
 * client already read), then followed: a line written before the client
 * subscribed is never lost. The caller is signed in again every second:
 * when their session ends, their user is removed or their role changes,
 * the stream sends `signed-out` and ends.
 */
export function runEventRoutes(deps: AppDependencies): Hono {
  const app = new Hono();
  app.get('/runs/:id/events', async (c) => {
    const id = c.req.param('id');
    const offset = Number(c.req.query('log_offset') ?? 0);
    if (!Number.isInteger(offset) || offset < 0) throw new ConfigError('api.bad_offset', `log_offset is a whole number, 0 or more; got '${c.req.query('log_offset')}'`);
    if (!(await deps.store.getRun(id))) throw new ConfigError('run.not_found', `no run '${id}'`);
    const recheck = c.get('recheck');
    const role = c.get('principal').role;
    return streamSSE(c, async (stream) => {
      let logsSent = offset;
      let checkedAt = Date.now();
      const blocks = new Map<string, string>();
      let lastRun = '';
      let sequence = 0;
      for (;;) {
        if (stream.aborted || stream.closed) return;
        if (Date.now() - checkedAt >= recheckMs) {
          checkedAt = Date.now();
          if ((await recheck())?.role !== role) {
            await stream.writeSSE({ event: 'signed-out', data: JSON.stringify({ reason: 'the session ended or its role changed: sign in again' }) });
            return;
          }
        }
        const run = await deps.store.getRun(id);
        if (!run) return;
        // Only the lines since the last poll: a long run's log is not read again and again.
        const logs = await deps.store.listLogs(id, { offset: logsSent });
        const blockRuns = await deps.store.listBlockRuns(id);
        // Read at each poll: a block's stored columns, or a changed mark, can hide more of the text.
        const text = await runTextMask(c, deps.store, run, blockRuns);
        for (const line of logs) await stream.writeSSE({ event: 'log', data: JSON.stringify(text.log(line)), id: String(++sequence) });
        logsSent += logs.length;
        for (const record of blockRuns) {
          const shape = JSON.stringify(text.blockRun(blockRunView(record)));
          if (blocks.get(record.block) === shape) continue;
          blocks.set(record.block, shape);
          await stream.writeSSE({ event: 'block', data: shape, id: String(++sequence) });
        }
        const runShape = JSON.stringify(text.run(run));
        if (runShape !== lastRun) {
          lastRun = runShape;
          await stream.writeSSE({ event: 'run', data: runShape, id: String(++sequence) });
        }
        if (finished.has(run.status)) return;
        await stream.sleep(pollMs);
      }
    });
  });
  return app;
}
