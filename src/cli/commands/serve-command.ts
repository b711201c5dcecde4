import { serve } from '@hono/node-server';
import type { AddressInfo } from 'node:net';
import { ConfigError } from '../../core/errors.ts';
import { loadProject } from '../../core/project/load-project.ts';
import { loadApiToken } from '../../server/api-token.ts';
import { createApp } from '../../server/create-app.ts';
import { createEngine } from '../compose.ts';
import { hostname } from 'node:os';
import { bold, dim, type Output } from '../output.ts';
import { UsageError } from '../usage-error.ts';
import { executeCreatedRun, startScheduler, untilStopped } from './scheduler-command.ts';

const loopback = new Set(['127.0.0.1', 'localhost', '::1']);

/**
 * `sluice serve`: the JSON API (and, with it, the scheduler). It listens on
 * 127.0.0.1 unless told otherwise, and then only with SLUICE_API_TOKEN set.
 */
export async function serveCommand(options: { host?: string; port?: string; scheduler?: boolean; lease?: string; concurrency?: string }, out: Output): Promise<number> {
  const leaseMs = Number(options.lease ?? 10_000);
  const concurrency = Number(options.concurrency ?? 4);
  if (!Number.isInteger(leaseMs) || leaseMs < 300) throw new UsageError(`--lease takes milliseconds (300 or more); got '${options.lease}'`);
  if (!Number.isInteger(concurrency) || concurrency < 1) throw new UsageError(`--concurrency takes a whole number from 1; got '${options.concurrency}'`);
  const host = options.host ?? '127.0.0.1';
  const port = Number(options.port ?? 6789);
  if (!Number.isInteger(port) || port < 0 || port > 65_535) throw new UsageError(`--port takes a port number; got '${options.port}'`);
  if (!loopback.has(host) && !process.env.SLUICE_API_TOKEN) {
    throw new ConfigError('serve.auth_required', `binding ${host} exposes the server beyond this machine: set SLUICE_API_TOKEN to a long random secret first`);
  }
  const project = loadProject(process.cwd());
  const engine = await createEngine(project);
  const { token, source } = loadApiToken(project.stateDir);
  const running = new Set<Promise<unknown>>();
  const app = createApp({
    root: project.root,
    store: engine.store,
    token,
    pageOutput: async (location, offset, limit) => {
      const session = await (await engine.dataPlane()).openSession();
      try {
        return await session.pageOutput(location, offset, limit);
      } finally {
        await session.close();
      }
    },
    execute: (pipeline, triggered) => {
      const work = executeCreatedRun(
        engine,
        pipeline,
        { id: triggered.run.id, logicalDate: triggered.run.logicalDate, interval: triggered.interval, variables: triggered.run.variables as Record<string, string | number | boolean> },
        { owner: `serve:${hostname()}:${process.pid}`, leaseMs },
        out,
      )
        .catch((error: unknown) => out.error(`run ${triggered.run.id}: ${(error as Error).message}`))
        .finally(() => running.delete(work));
      running.add(work);
    },
  });
  const server = serve({ fetch: app.fetch, hostname: host, port });
  await new Promise<void>((resolve, reject) => {
    server.once('listening', resolve);
    server.once('error', reject);
  });
  const address = server.address() as AddressInfo;
  out.line(`${bold('Sluice')} API on http://${host.includes(':') ? `[${host}]` : host}:${address.port} ${dim(`(token: ${source})`)}`);
  const scheduler = options.scheduler === false ? undefined : await startScheduler(engine, out, { pollMs: 250, leaseMs, concurrency });
  await untilStopped();
  out.line('stopping: waiting for the runs under way');
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await scheduler?.stop();
  await Promise.allSettled([...running]);
  await engine.close();
  return 0;
}
