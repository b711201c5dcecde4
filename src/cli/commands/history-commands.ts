import { ConfigError } from '../../core/errors.ts';
import { loadProject } from '../../core/project/load-project.ts';
import type { BlockRunStatus, RunStatus } from '../../core/run-store/run-store.ts';
import { describeOutcome } from '../../core/run/describe-outcome.ts';
import { createEngine } from '../../engine/create-engine.ts';
import { describeError, dim, formatCount, formatDuration, formatTable, green, red, yellow, type Output } from '../output.ts';
import { UsageError } from '../usage-error.ts';

const statuses: readonly RunStatus[] = ['queued', 'running', 'succeeded', 'failed', 'cancelled'];

/** `sluice runs`: the run history, newest first. */
export async function runsCommand(options: { pipeline?: string; status?: string; limit?: string }, out: Output): Promise<number> {
  if (options.status && !statuses.includes(options.status as RunStatus)) {
    throw new UsageError(`--status is one of ${statuses.join(', ')}; got '${options.status}'`);
  }
  const limit = Number(options.limit ?? 20);
  if (!Number.isInteger(limit) || limit <= 0) throw new UsageError(`--limit takes a positive whole number; got '${options.limit}'`);
  const engine = await createEngine(loadProject(process.cwd()));
  try {
    const runs = await engine.store.listRuns({
      ...(options.pipeline ? { pipeline: options.pipeline } : {}),
      ...(options.status ? { status: options.status as RunStatus } : {}),
      limit,
    });
    if (!runs.length) {
      out.line('no runs yet');
      return 0;
    }
    const rows = runs.map((r) => [
      r.id,
      r.pipeline,
      paintStatus(r.status, r.rowsRejected),
      r.startedAt.replace('T', ' ').slice(0, 19),
      r.endedAt ? formatDuration(Date.parse(r.endedAt) - Date.parse(r.startedAt)) : '-',
      r.error ? r.error.message.split('\n')[0]!.slice(0, 60) : '',
    ]);
    out.line(formatTable(['run', 'pipeline', 'status', 'started (UTC)', 'took', 'error'], rows));
    return 0;
  } finally {
    await engine.close();
  }
}

/** `sluice logs RUN`: what a run did, block by block, with its log lines and errors. */
export async function logsCommand(runId: string, options: { block?: string }, out: Output): Promise<number> {
  const project = loadProject(process.cwd());
  const engine = await createEngine(project);
  try {
    const run = await engine.store.getRun(runId);
    if (!run) throw new ConfigError('logs.unknown_run', `no run '${runId}'; 'sluice runs' lists them`);
    out.line(`run ${run.id}  pipeline ${run.pipeline}  ${paintStatus(run.status, run.rowsRejected)}  version ${run.pipelineVersion}  trigger ${run.trigger}`);
    out.line(dim(`started ${run.startedAt}${run.endedAt ? `, ended ${run.endedAt}` : ''}${run.logicalDate ? `, logical date ${run.logicalDate}` : ''}`));
    const blocks = await engine.store.listBlockRuns(runId);
    const logs = await engine.store.listLogs(runId, options.block ? { block: options.block } : {});
    // Lines about the run as a whole (an OpenLineage endpoint that refused its events) come first.
    for (const l of logs.filter((x) => !x.block)) out.line(`  ${l.at.slice(11, 23)} ${l.level.padEnd(5)} ${l.message}`);
    for (const b of blocks) {
      if (options.block && b.block !== options.block) continue;
      const took = b.startedAt && b.endedAt ? formatDuration(Date.parse(b.endedAt) - Date.parse(b.startedAt)) : '';
      out.line();
      out.line(`${paintStatus(b.status, b.rowsRejected)} ${b.block}  ${formatCount(b.rowsIn)} in → ${formatCount(b.rowsOut)} out  ${took}${b.summary ? `  ${dim(b.summary)}` : ''}`);
      for (const l of logs.filter((x) => x.block === b.block)) out.line(`  ${l.at.slice(11, 23)} ${l.level.padEnd(5)} ${l.message}`);
      if (b.error) out.line(`  ${red('error')} ${describeError(b.error, project.root)}`);
    }
    return 0;
  } finally {
    await engine.close();
  }
}

function paintStatus(status: RunStatus | BlockRunStatus, rowsRejected?: number): string {
  const said = describeOutcome(status, rowsRejected);
  if (status === 'succeeded') return rowsRejected ? yellow(said) : green(said);
  if (status === 'failed') return red(said);
  return yellow(said);
}
