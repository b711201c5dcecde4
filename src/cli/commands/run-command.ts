import { loadPipeline } from '../../core/pipeline/load-pipeline.ts';
import { loadProject } from '../../core/project/load-project.ts';
import { runPipeline } from '../../core/run/run-pipeline.ts';
import { progressReporter } from '../progress-reporter.ts';
import { UsageError } from '../usage-error.ts';
import { intervalForDate, parseDateRange } from '../../core/run/logical-date.ts';
import { backfillCommand } from './backfill-command.ts';
import { alertRun } from '../../alerts/alert-run.ts';
import { runHeartbeat } from '../../engine/run-heartbeat.ts';
import { createEngine, runDependencies } from '../../engine/create-engine.ts';
import { describeOutcome } from '../../core/run/describe-outcome.ts';
import { describeError, describeWarnings, dim, formatDuration, green, red, yellow, type Output } from '../output.ts';

export interface RunCommandOptions {
  readonly block?: string;
  readonly from?: string;
  readonly var?: string[];
  readonly date?: string;
  readonly backfill?: string;
  readonly parallel?: string;
  readonly concurrency?: string;
}

/** `sluice run PIPELINE`: runs it, shows each block as it goes, and says where the result landed. */
export async function runCommand(pipelineName: string, options: RunCommandOptions, out: Output): Promise<number> {
  const project = loadProject(process.cwd());
  const pipeline = loadPipeline(project.root, pipelineName);
  for (const warning of [...describeWarnings(project), ...describeWarnings(pipeline)]) out.error(warning);
  const variables = parseVars(options.var ?? []);
  if (options.date !== undefined && options.backfill !== undefined) throw new UsageError('give --date or --backfill, not both');
  const dated = options.date !== undefined ? intervalForDate(pipeline, options.date) : undefined;
  const parallel = options.parallel === undefined ? undefined : Number(options.parallel);
  if (parallel !== undefined && (!Number.isInteger(parallel) || parallel < 1 || parallel > 32)) throw new UsageError(`--parallel takes a whole number from 1 to 32; got '${options.parallel}'`);
  const concurrency = parseConcurrency(options.concurrency);
  const range = options.backfill !== undefined ? parseDateRange(options.backfill) : undefined;
  if (range) return backfillCommand(project, pipeline, range, { variables, parallel, concurrency, block: options.block, from: options.from }, out);
  const engine = await createEngine(project, { concurrency });
  const controller = new AbortController();
  const onSignal = (): void => controller.abort(new Error('cancelled by the user'));
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  const reporter = progressReporter(out);
  try {
    const result = await runPipeline(
      await runDependencies(engine, reporter),
      pipeline,
      { block: options.block, from: options.from, concurrency, variables, logicalDate: dated?.logicalDate, dataInterval: dated?.interval, trigger: 'cli', signal: controller.signal, heartbeat: runHeartbeat('cli') },
    );
    reporter.stop();
    for (const alert of await alertRun(engine.store, pipeline, result, { project: engine.project })) {
      if (alert.ok) out.line(dim(`  alerted ${alert.channel}`));
      else out.error(`${yellow('alert not sent')} ${alert.channel}: ${alert.error?.message ?? 'unknown error'}`);
    }
    const done = result.blocks.filter((b) => b.status === 'succeeded').length;
    if (result.status === 'succeeded') {
      const rejected = result.blocks.reduce((sum, b) => sum + (b.rowsRejected ?? 0), 0);
      const said = `Run ${describeOutcome(result.status, rejected)}`;
      out.line(`${rejected ? yellow(said) : green(said)} ${dim(result.id)}: ${done} block${done === 1 ? '' : 's'} in ${formatDuration(result.durationMs)}`, { run: result.id });
      if (rejected) out.line(dim(`  see them with: ${result.blocks.filter((b) => b.rowsRejected).map((b) => `sluice preview ${pipeline.name} ${b.block} --rejects`).join('; ')}`));
      const landed = result.blocks.filter((b) => b.summary && pipeline.blocks.find((p) => p.name === b.block)?.role === 'exporter');
      for (const b of landed) out.line(`  ${b.block}: ${b.summary}`);
      return 0;
    }
    out.error(`${red(result.status === 'cancelled' ? 'Run cancelled' : 'Run failed')} ${dim(result.id)} after ${formatDuration(result.durationMs)}`, { run: result.id });
    if (result.error) out.error(describeError(result.error, project.root), { run: result.id, block: result.error.location?.block });
    out.error(dim(`logs: sluice logs ${result.id}`), { run: result.id });
    // A run stopped by the project's own setup (unknown connector, bad settings) is a configuration error.
    return result.error?.kind === 'config' ? 2 : 1;
  } finally {
    reporter.stop();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await engine.close();
  }
}

/** `--concurrency N`: block runs of the run at once, overriding the pipeline's and the project's `concurrency:`. */
function parseConcurrency(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1 || n > 256) throw new UsageError(`--concurrency takes a whole number from 1 to 256; got '${text}'`);
  return n;
}

/** `--var k=v`, repeatable; values stay strings until the pipeline's defaults give them a type. */
export function parseVars(pairs: readonly string[]): Record<string, string> {
  const vars: Record<string, string> = {};
  for (const pair of pairs) {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw new UsageError(`--var takes name=value; got '${pair}'`);
    vars[pair.slice(0, eq)] = pair.slice(eq + 1);
  }
  return vars;
}
