import { loadPipeline } from '../../core/pipeline/load-pipeline.ts';
import { loadProject } from '../../core/project/load-project.ts';
import { runPipeline, type RunReporter } from '../../core/run/run-pipeline.ts';
import type { Block } from '../../core/pipeline/pipeline.ts';
import { UsageError } from '../usage-error.ts';
import { intervalForDate, parseDateRange } from '../../core/run/logical-date.ts';
import { backfillCommand } from './backfill-command.ts';
import { alertRun } from '../../alerts/alert-run.ts';
import { cliHeartbeat } from '../cli-heartbeat.ts';
import { createEngine } from '../compose.ts';
import { describeOutcome } from '../../core/run/describe-outcome.ts';
import { bold, describeError, describeWarnings, dim, formatCount, formatDuration, green, red, yellow, type Output } from '../output.ts';

export interface RunCommandOptions {
  readonly block?: string;
  readonly from?: string;
  readonly var?: string[];
  readonly date?: string;
  readonly backfill?: string;
  readonly parallel?: string;
}

/** `sluice run PIPELINE`: runs it, shows each block as it goes, and says where the result landed. */
export async function runCommand(pipelineName: string, options: RunCommandOptions, out: Output): Promise<number> {
  const project = loadProject(process.cwd());
  const pipeline = loadPipeline(project.root, pipelineName);
  for (const warning of describeWarnings(pipeline)) out.error(warning);
  const variables = parseVars(options.var ?? []);
  if (options.date !== undefined && options.backfill !== undefined) throw new UsageError('give --date or --backfill, not both');
  const dated = options.date !== undefined ? intervalForDate(pipeline, options.date) : undefined;
  const parallel = Number(options.parallel ?? 1);
  if (!Number.isInteger(parallel) || parallel < 1 || parallel > 32) throw new UsageError(`--parallel takes a whole number from 1 to 32; got '${options.parallel}'`);
  const range = options.backfill !== undefined ? parseDateRange(options.backfill) : undefined;
  if (range) return backfillCommand(project, pipeline, range, { variables, parallel, block: options.block, from: options.from }, out);
  const engine = await createEngine(project);
  const controller = new AbortController();
  const onSignal = (): void => controller.abort(new Error('cancelled by the user'));
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  let ticker: NodeJS.Timeout | undefined;
  try {
    const reporter = progressReporter(out, (t) => (ticker = t));
    const result = await runPipeline(
      { project, store: engine.store, dataPlane: await engine.dataPlane(), connectors: engine.connectors, runners: engine.runners, reporter },
      pipeline,
      { block: options.block, from: options.from, variables, logicalDate: dated?.logicalDate, dataInterval: dated?.interval, trigger: 'cli', signal: controller.signal, heartbeat: cliHeartbeat() },
    );
    if (ticker) clearInterval(ticker);
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
    if (ticker) clearInterval(ticker);
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await engine.close();
  }
}

function progressReporter(out: Output, setTicker: (t: NodeJS.Timeout | undefined) => void): RunReporter {
  let current: { block: Block; started: number } | undefined;
  let ticker: NodeJS.Timeout | undefined;
  const width = { name: 12 };
  // Lines name their run and block, for JSON log lines (--log-format json).
  let run: string | undefined;
  return {
    runStarted({ id, pipeline, blocks }) {
      run = id;
      width.name = Math.max(12, ...blocks.map((b) => b.name.length));
      out.line(`${bold(pipeline)} ${dim(`run ${id}`)}: ${blocks.length} block${blocks.length === 1 ? '' : 's'}`, { run });
    },
    blockStarted(block) {
      current = { block, started: Date.now() };
      if (out.tty) {
        ticker = setInterval(() => {
          if (current) out.status(`  … ${current.block.name.padEnd(width.name)} ${dim(current.block.role)} ${formatDuration(Date.now() - current.started)}`);
        }, 200);
        setTicker(ticker);
      } else out.line(`  … ${block.name} (${block.role})`, { run, block: block.name });
    },
    blockFinished(record) {
      if (ticker) clearInterval(ticker);
      setTicker(undefined);
      const took = current ? formatDuration(Date.now() - current.started) : '';
      const role = current?.block.role ?? '';
      current = undefined;
      const mark = record.status === 'succeeded' ? green('✓') : record.status === 'failed' ? red('✗') : yellow('-');
      const rejected = record.rowsRejected ? `, ${formatCount(record.rowsRejected)} rejected` : '';
      const rows = record.status === 'succeeded' ? `${formatCount(record.rowsIn)} in → ${formatCount(record.rowsOut)} out${rejected}` : record.status;
      out.line(`  ${mark} ${record.block.padEnd(width.name)} ${dim(role.padEnd(11))} ${rows.padEnd(28)} ${took.padStart(7)}${record.summary ? `  ${dim(record.summary)}` : ''}`, {
        run,
        block: record.block,
        level: record.status === 'failed' ? 'error' : 'info',
      });
    },
    log(block, level, message) {
      if (level === 'debug') return;
      const tag = level === 'error' ? red(level) : level === 'warn' ? yellow(level) : dim(level);
      if (level !== 'error') out.line(`    ${tag} ${block ?? ''}: ${message}`, { run, block, level });
    },
  };
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
