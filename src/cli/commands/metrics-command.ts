import { ConfigError } from '../../core/errors.ts';
import { loadProject } from '../../core/project/load-project.ts';
import { createEngine } from '../../engine/create-engine.ts';
import { dim, formatTable, green, yellow, type Output } from '../output.ts';
import { UsageError } from '../usage-error.ts';

/** `sluice metrics show P B`: each metric's recent values, oldest first, anomalies flagged. */
export async function metricsShowCommand(pipeline: string, block: string, options: { metric?: string; limit?: string }, out: Output): Promise<number> {
  const limit = Number(options.limit ?? 14);
  if (!Number.isInteger(limit) || limit <= 0) throw new UsageError(`--limit takes a positive whole number; got '${options.limit}'`);
  const engine = await createEngine(loadProject(process.cwd()));
  try {
    const points = await engine.store.listMetricHistory(pipeline, block, { limit, metric: options.metric });
    if (!points.length) {
      out.line(`no metric values recorded for ${pipeline} ${block} yet`);
      return 0;
    }
    const rows = points.map((p) => [
      p.metric,
      p.date,
      p.runId,
      p.value === null ? '-' : String(Number(p.value.toPrecision(12))),
      !p.verdict ? dim('not judged') : p.verdict.anomaly ? (p.markedExpected ? green('marked expected') : yellow('ANOMALY')) : 'normal',
      p.verdict?.anomaly ? p.verdict.reason : '',
    ]);
    out.line(formatTable(['metric', 'date', 'run', 'value', 'verdict', 'why'], rows));
    return 0;
  } finally {
    await engine.close();
  }
}

/** `sluice metrics mark-expected RUN BLOCK METRIC`: the value was right; learn it. */
export async function markExpectedCommand(runId: string, block: string, metric: string, out: Output): Promise<number> {
  const engine = await createEngine(loadProject(process.cwd()));
  try {
    const marked = await engine.store.markMetricExpected(runId, block, metric);
    if (!marked) {
      const known = (await engine.store.listRunMetricPoints(runId)).filter((p) => p.block === block).map((p) => p.metric);
      throw new ConfigError(
        'metrics.unknown_value',
        known.length
          ? `run ${runId} recorded no metric '${metric}' for block '${block}' (its metrics: ${known.join(', ')})`
          : `run ${runId} recorded no metrics for block '${block}'; check the run id (sluice runs) and block name`,
      );
    }
    const was = marked.verdict?.anomaly ? `it was flagged: ${marked.verdict.reason}` : 'it was not flagged, so nothing changes';
    out.line(`${green('marked expected')} ${block} ${metric} = ${marked.value} in run ${runId} (${was})`);
    if (marked.verdict?.anomaly) out.line(dim('the detector now takes this value as the new level of the metric'));
    return 0;
  } finally {
    await engine.close();
  }
}
