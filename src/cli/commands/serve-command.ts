import { serve } from '@hono/node-server';
import type { AddressInfo } from 'node:net';
import { hostname } from 'node:os';
import path from 'node:path';
import { ConfigError } from '../../core/errors.ts';
import { loadProject } from '../../core/project/load-project.ts';
import { loadApiToken } from '../../server/api-token.ts';
import { createApp } from '../../server/create-app.ts';
import { sessionLimitsOf } from '../../server/users/user-auth.ts';
import { createRunExecutor } from '../../server/run-executor.ts';
import { RunMetrics } from '../../server/metrics/run-metrics.ts';
import { metricsToken } from '../../server/metrics/metrics-token.ts';
import { oidcOptionsOf } from '../../server/users/oidc-client.ts';
import { createEngine } from '../../engine/create-engine.ts';
import { IngestEndpoints } from '../../streaming/index.ts';
import { bold, describeError, dim, green, red, type Output } from '../output.ts';
import { packageDir } from '../package-dir.ts';
import { UsageError } from '../usage-error.ts';
import { startScheduler, untilStopped } from './scheduler-command.ts';
import { superviseStreams } from './supervise-streams.ts';

const loopback = new Set(['127.0.0.1', 'localhost', '::1']);
const webDist = path.join(packageDir, 'web', 'dist');

/**
 * `sluice serve`: the web UI, its JSON API and the scheduler. It listens on
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
  // Each run the server executes at once gets at least one block slot, whatever sluice.yaml's limit.
  const engine = await createEngine(project, { concurrency });
  const { token, source } = loadApiToken(project.stateDir);
  const runMetrics = new RunMetrics(engine.store);
  const executor = createRunExecutor({
    root: project.root,
    store: engine.store,
    connectors: engine.connectors,
    runners: engine.runners,
    blockExecutor: engine.blockExecutor,
    outputs: engine.outputs,
    dataPlane: () => engine.dataPlane(),
    heartbeat: { owner: `serve:${hostname()}:${process.pid}`, leaseMs },
    onFinished: (pipeline, result) => {
      runMetrics.observeRun(pipeline.name, result);
      const mark = result.status === 'succeeded' ? green('✓') : red('✗');
      out.line(`${mark} ${pipeline.name} ${dim(result.id)} ${result.status}${result.error ? `: ${describeError(result.error, project.root)}` : ''}`, { run: result.id, level: result.status === 'failed' ? 'error' : 'info' });
    },
    onError: (runId, error) => out.error(`run ${runId}: ${error.message}`, { run: runId }),
  });
  // The http sources of the streams this process runs register here; the ingest route finds them here.
  const ingest = new IngestEndpoints();
  const app = createApp({
    root: project.root,
    stateDir: project.stateDir,
    store: engine.store,
    outputs: engine.outputs,
    token,
    sessionLimits: sessionLimitsOf(project.settings),
    // Behind a proxy that ends TLS the request is plain HTTP, but people reach Sluice over HTTPS.
    secureCookies: project.settings.base_url?.startsWith('https:') === true,
    oidc: oidcOptionsOf(project.settings.auth?.oidc),
    connectors: engine.connectors,
    execute: executor.execute,
    abort: executor.abort,
    withSession: async (work) => {
      const session = await (await engine.dataPlane()).openSession();
      try {
        return await work(session);
      } finally {
        await session.close();
      }
    },
    webDist,
    metrics: { runMetrics, token: metricsToken(project) },
    fleet: engine.fleet,
    ingest,
  });
  const server = serve({ fetch: app.fetch, hostname: host, port });
  await new Promise<void>((resolve, reject) => {
    server.once('listening', resolve);
    server.once('error', reject);
  });
  const address = server.address() as AddressInfo;
  const base = `http://${host.includes(':') ? `[${host}]` : host}:${address.port}`;
  const users = await engine.store.users.countUsers();
  out.line(`${bold('Sluice')} UI and API on ${base} ${dim(users ? `(${users} user(s); the project token is retired)` : `(token: ${source})`)}`);
  if (users) out.line(`sign in: ${base}/ with a user's name and password; scripts use a user's API key (sluice users key NAME)`);
  // The token rides in the fragment, which browsers never send to a server. Beyond loopback the
  // server's output usually lands in shared logs, so the link names the variable instead.
  else out.line(`sign in: ${base}/#token=${loopback.has(host) ? token : '$SLUICE_API_TOKEN'}`);
  const scheduler = options.scheduler === false ? undefined : await startScheduler(engine, out, { pollMs: 250, leaseMs, concurrency }, runMetrics);
  const streams = options.scheduler === false ? undefined : superviseStreams(engine, out, { leaseMs }, ingest);
  await untilStopped();
  out.line('stopping: waiting for the runs under way');
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await streams?.stop();
  await scheduler?.stop();
  await executor.settled();
  await engine.close();
  return 0;
}
