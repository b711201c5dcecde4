import { serve } from '@hono/node-server';
import { Hono } from 'hono';
import type { AddressInfo } from 'node:net';
import { ConfigError } from '../../core/errors.ts';
import { loadApiToken } from '../../server/api-token.ts';
import { metricsRoutes } from '../../server/metrics/metrics-route.ts';
import { metricsToken } from '../../server/metrics/metrics-token.ts';
import type { RunMetrics } from '../../server/metrics/run-metrics.ts';
import { UserAuth } from '../../server/users/user-auth.ts';
import type { Engine } from '../../engine/create-engine.ts';
import type { Output } from '../output.ts';
import { UsageError } from '../usage-error.ts';

const loopback = new Set(['127.0.0.1', 'localhost', '::1']);

/**
 * `/metrics` alone, for a process with no API (`sluice scheduler
 * --metrics-port`). Beyond loopback it needs a token that was chosen, not
 * generated: SLUICE_API_TOKEN or sluice.yaml `metrics.token`.
 */
export async function serveMetrics(engine: Engine, runMetrics: RunMetrics, options: { host?: string | undefined; port: string }, out: Output): Promise<{ close(): Promise<void> }> {
  const host = options.host ?? '127.0.0.1';
  const port = Number(options.port);
  if (!Number.isInteger(port) || port < 0 || port > 65_535) throw new UsageError(`--metrics-port takes a port number; got '${options.port}'`);
  const scrapeToken = metricsToken(engine.project);
  if (!loopback.has(host) && !process.env.SLUICE_API_TOKEN && !scrapeToken) {
    throw new ConfigError('metrics.auth_required', `binding ${host} exposes /metrics beyond this machine: set SLUICE_API_TOKEN or metrics.token in sluice.yaml first`);
  }
  const { token } = loadApiToken(engine.project.stateDir);
  const app = new Hono();
  app.route('/', metricsRoutes({ root: engine.project.root, store: engine.store, runMetrics }, { auth: new UserAuth(engine.store, token), metricsToken: scrapeToken }));
  const server = serve({ fetch: app.fetch, hostname: host, port });
  await new Promise<void>((resolve, reject) => {
    server.once('listening', resolve);
    server.once('error', reject);
  });
  const address = server.address() as AddressInfo;
  out.line(`metrics on http://${host.includes(':') ? `[${host}]` : host}:${address.port}/metrics`);
  return { close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}
