import { SluiceError } from '../../core/errors.ts';
import { describeSink } from '../../core/pipeline/streaming-schema.ts';
import { loadProject } from '../../core/project/load-project.ts';
import { createLogger, type Logger } from '../../core/run/logger.ts';
import { HeartbeatWriter, heartbeatFile, loadStreamingPipeline, openStreamRun, readStreamOverview, runStream, StreamMetricsRecorder, type IngestEndpoints, type StreamHeartbeat, type StreamingPipeline, type StreamOverview, type StreamSource } from '../../streaming/index.ts';
import { createEngine, openRunStore, type Engine } from '../../engine/create-engine.ts';
import { bold, describeError, describeWarnings, dim, formatCount, formatTable, green, red, yellow, type Output } from '../output.ts';
import { UsageError } from '../usage-error.ts';

/** What a caller of `runStreamingPipeline` hears and controls. */
export interface StreamingRunHooks {
  /** A clean stop: commit and acknowledge the batch in hand, then return. */
  readonly stop: AbortSignal;
  /** Leave at once; the batch in hand stays unacknowledged and comes again. */
  readonly hard?: AbortSignal | undefined;
  readonly logger: Logger;
  /** Told once the source and sinks are open. */
  readonly onOpened?: ((description: string) => void) | undefined;
  /** Told after each committed batch, with the totals so far. */
  readonly onProgress?: ((beat: StreamHeartbeat) => void) | undefined;
  /** Set when a supervisor runs the stream: shown by `sluice stream status`. */
  readonly supervision?: { readonly restarts: number; readonly supervisedBy: string } | undefined;
  /** Where an http source registers its endpoint (in sluice serve). */
  readonly ingest?: IngestEndpoints | undefined;
}

/**
 * Runs one streaming pipeline until `stop` (resolves with its totals) or a
 * failure (rejects), keeping its heartbeat file up to date for
 * `sluice stream status`. Shared by `sluice stream run` and the supervisor in
 * `sluice serve` and `sluice scheduler`.
 */
export async function runStreamingPipeline(engine: Engine, pipeline: StreamingPipeline, hooks: StreamingRunHooks): Promise<StreamHeartbeat> {
  const heartbeat = new HeartbeatWriter(heartbeatFile(engine.project.stateDir, pipeline.name), pipeline.name, 1000, hooks.supervision);
  const session = await (await engine.dataPlane()).openSession();
  let lag: number | undefined;
  let lagAsked = 0;
  let source: StreamSource | undefined;
  const metrics = new StreamMetricsRecorder(engine.store.streamMetrics, {
    pipeline: pipeline.name,
    intervalMs: pipeline.settings.metrics_interval,
    restarts: hooks.supervision?.restarts ?? 0,
    lag: async () => source?.lag(),
    logger: hooks.logger,
  });
  try {
    const run = await openStreamRun(engine.project, engine.connectors, pipeline, {
      session,
      logger: hooks.logger,
      signal: hooks.hard ?? new AbortController().signal,
      stop: hooks.stop,
      ingest: hooks.ingest,
      onBatch(report) {
        // The broker is asked for the lag every few seconds, not per batch.
        if (Date.now() - lagAsked > 3000) {
          lagAsked = Date.now();
          void run.source.lag().then((n) => (lag = n), () => undefined);
        }
        heartbeat.record(report, lag);
        metrics.record(report);
        hooks.onProgress?.(heartbeat.current);
      },
    });
    source = run.source;
    metrics.start();
    try {
      hooks.onOpened?.(run.source.description);
      await runStream(run);
    } finally {
      // The last sample is taken after the source is closed: it leaves the lag unknown rather than asking a closed client.
      source = undefined;
      await run.close();
    }
    heartbeat.finish('stopped');
    await metrics.finish('stopped');
    return heartbeat.current;
  } catch (error) {
    heartbeat.finish('failed', (error as Error).message);
    await metrics.finish('failed');
    throw error;
  } finally {
    await session.close();
  }
}

/**
 * `sluice stream run NAME`: runs a streaming pipeline in the foreground until
 * Ctrl-C, which stops taking messages, commits and acknowledges the batch in
 * hand, and exits 0. A second Ctrl-C leaves at once; the batch's messages stay
 * unacknowledged and come again on the next run, so nothing is lost.
 */
export async function streamRunCommand(name: string, out: Output): Promise<number> {
  const project = loadProject(process.cwd());
  const pipeline = loadStreamingPipeline(project.root, name);
  for (const warning of describeWarnings(pipeline)) out.error(warning);
  const engine = await createEngine(project);
  const stop = new AbortController();
  const hard = new AbortController();
  const onSignal = (): void => {
    if (stop.signal.aborted) hard.abort(new Error('stopped by the user'));
    else {
      out.error(dim('stopping: committing the batch in hand (Ctrl-C again to leave now; its messages will come again)'));
      stop.abort();
    }
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  const logger = createLogger((level, message) => {
    if (level === 'warn' || level === 'error') out.error(`${yellow(level)} ${message}`);
  });
  try {
    const b = await runStreamingPipeline(engine, pipeline, {
      stop: stop.signal,
      hard: hard.signal,
      logger,
      onOpened: (source) =>
        out.line(`${bold(pipeline.name)}: streaming from ${source} into ${pipeline.settings.sinks.map(describeSink).join(', ')} ${dim('(Ctrl-C stops after committing)')}`),
      onProgress: (beat) => out.status(`${formatCount(beat.rows)} rows, ${formatCount(beat.rowsPerSecond)} rows/s, ${beat.deadLettered} dead letters${beat.lag === undefined ? '' : `, lag ${formatCount(beat.lag)}`}`),
    });
    out.line(`${green('stopped')} ${pipeline.name}: ${formatCount(b.messages)} messages, ${formatCount(b.rows)} rows committed, ${b.duplicates} redelivered duplicates skipped, ${b.deadLettered} dead letters`);
    return 0;
  } catch (error) {
    if (hard.signal.aborted) {
      out.error(`${yellow('left')} ${pipeline.name} without committing the batch in hand; its messages come again on the next run`);
      return 1;
    }
    out.error(`${red('stream failed')} ${pipeline.name}`);
    out.error(error instanceof SluiceError ? describeError(error, project.root) : (error as Error).message);
    return error instanceof SluiceError && error.kind === 'config' ? 2 : 1;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await engine.close();
  }
}

/**
 * `sluice stream status`: each streaming pipeline's state, and its figures
 * from the newest metrics sample in the metadata store (rows/s, latency
 * percentiles, lag, dead letters, restarts) and this machine's heartbeat.
 * `--json` gives each pipeline's heartbeat fields (as before) with its
 * `status` and newest `metrics` sample beside them.
 */
export async function streamStatusCommand(options: { json?: boolean }, out: Output): Promise<number> {
  const project = loadProject(process.cwd());
  const store = await openRunStore(project);
  let streams: StreamOverview[];
  try {
    streams = (await readStreamOverview(project.root, project.stateDir, store.streamMetrics)).filter((s) => s.heartbeat || s.metrics || s.state !== 'idle');
  } finally {
    await store.close();
  }
  if (options.json) {
    out.line(JSON.stringify(streams.map((s) => ({ pipeline: s.pipeline, ...s.heartbeat, status: s.state, metrics: s.metrics, error: s.error })), null, 2));
    return 0;
  }
  const started = streams.filter((s) => s.heartbeat || s.metrics);
  if (!started.length) {
    out.line(dim('no streaming pipeline has run in this project yet (start one with: sluice stream run NAME)'));
    return 0;
  }
  const state = (s: StreamOverview) => (s.state === 'running' ? green(s.state) : s.state === 'failing' ? red(s.state) : s.state);
  const ms = (value: number | undefined) => (value === undefined ? '-' : `${value} ms`);
  out.line(
    formatTable(
      ['pipeline', 'state', 'rows/s', 'p50', 'p95', 'p99', 'lag', 'rows', 'dead letters', 'restarts', 'updated'],
      started.map((s) => {
        const b = s.heartbeat;
        const m = s.metrics;
        // The heartbeat is the fresher figure on this machine; the sample tells of a stream run elsewhere.
        const rate = b?.state === 'running' ? b.rowsPerSecond : (m?.recordsPerSecond ?? 0);
        const lag = b?.lag ?? m?.lag;
        return [
          s.pipeline,
          state(s),
          formatCount(Math.round(rate)),
          ms(m?.latencyP50Ms),
          ms(m?.latencyP95Ms),
          ms(m?.latencyP99Ms),
          lag === undefined ? '-' : formatCount(lag),
          formatCount(b?.rows ?? m?.rows ?? 0),
          String(b?.deadLettered ?? m?.deadLetters ?? 0),
          String(b?.restarts ?? m?.restarts ?? 0),
          [b?.updatedAt, m?.at].filter((t): t is string => t !== undefined).sort().at(-1) ?? '-',
        ];
      }),
    ),
  );
  out.line(dim('latency: publish to commit over the last metrics interval; over time: sluice stream metrics NAME, or the Streams page of sluice serve'));
  for (const s of started.filter((x) => x.error)) out.error(`${s.pipeline}: ${s.error}`);
  return 0;
}

/** `sluice stream metrics NAME`: the pipeline's metrics samples from the metadata store, oldest first. */
export async function streamMetricsCommand(name: string, options: { since?: string; limit?: string; json?: boolean }, out: Output): Promise<number> {
  const limit = options.limit === undefined ? 60 : Number(options.limit);
  if (!Number.isInteger(limit) || limit <= 0 || limit > 2000) throw new UsageError(`--limit takes a whole number from 1 to 2000; got '${options.limit}'`);
  const project = loadProject(process.cwd());
  loadStreamingPipeline(project.root, name);
  const store = await openRunStore(project);
  let samples;
  try {
    samples = await store.streamMetrics.history(name, { since: options.since, limit });
  } finally {
    await store.close();
  }
  if (options.json) {
    out.line(JSON.stringify(samples, null, 2));
    return 0;
  }
  if (!samples.length) {
    out.line(dim(`no metrics recorded for ${name}${options.since ? ` since ${options.since}` : ''} (a running stream records a sample every metrics_interval)`));
    return 0;
  }
  const ms = (value: number | undefined) => (value === undefined ? '-' : String(value));
  out.line(
    formatTable(
      ['at', 'state', 'rows/s', 'p50 ms', 'p95 ms', 'p99 ms', 'lag', 'rows', 'dead letters', 'restarts'],
      samples.map((s) => [s.at, s.state, formatCount(Math.round(s.recordsPerSecond)), ms(s.latencyP50Ms), ms(s.latencyP95Ms), ms(s.latencyP99Ms), s.lag === undefined ? '-' : formatCount(s.lag), formatCount(s.rows), String(s.deadLetters), String(s.restarts)]),
    ),
  );
  return 0;
}
