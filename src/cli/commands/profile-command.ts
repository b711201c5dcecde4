import { ConfigError } from '../../core/errors.ts';
import { loadPipeline } from '../../core/pipeline/load-pipeline.ts';
import { loadProject } from '../../core/project/load-project.ts';
import { profileOutput, type ColumnProfile, type OutputProfile } from '../../core/quality/profile-output.ts';
import { createEngine } from '../../engine/create-engine.ts';
import { bold, dim, formatCount, formatTable, type Output } from '../output.ts';
import { UsageError } from '../usage-error.ts';

/**
 * `sluice profile PIPELINE BLOCK`: the profile kept with the block's latest
 * output, made as it was stored (a large output's from a sample, labelled so).
 * An output kept before that (no profile, or only its file's statistics) is
 * profiled on first look, and the profile kept then.
 */
export async function profileCommand(pipelineName: string, blockName: string, options: { json?: boolean }, out: Output): Promise<number> {
  const project = loadProject(process.cwd());
  const pipeline = loadPipeline(project.root, pipelineName);
  if (!pipeline.blocks.some((b) => b.name === blockName || `${b.name}__quarantine` === blockName)) {
    throw new UsageError(`pipeline '${pipeline.name}' has no block '${blockName}' (blocks: ${pipeline.blocks.map((b) => b.name).join(', ')})`);
  }
  const engine = await createEngine(project);
  try {
    const latest = await engine.store.latestOutput(pipeline.name, blockName);
    if (!latest?.output) throw new ConfigError('profile.no_output', `block '${blockName}' has no stored output yet; run 'sluice run ${pipeline.name}' first`);
    let profile = (await engine.store.getProfile(latest.runId, blockName))?.profile;
    // A partial profile (an older large output's file statistics) gives way to the full one while the output is kept.
    const kept = await engine.outputs.exists(latest.output);
    if (!profile || (profile.partial && kept)) {
      if (!kept) throw new ConfigError('profile.output_gone', `the output of '${blockName}' from run ${latest.runId} is no longer kept; run the block again`);
      const session = await (await engine.dataPlane()).openSession();
      try {
        profile = { ...(await profileOutput(session, { location: await engine.outputs.read(latest.output), rows: latest.rowsOut ?? 0, columns: latest.columns ?? [] })), deferred: true };
        await engine.store.putProfile({ runId: latest.runId, block: blockName, profile });
      } finally {
        await session.close();
      }
    }
    if (options.json) out.line(JSON.stringify({ pipeline: pipeline.name, block: blockName, runId: latest.runId, ...profile }, null, 2));
    else showProfile(`${pipeline.name}.${blockName}`, latest.runId, profile, out);
    return 0;
  } finally {
    await engine.close();
  }
}

function showProfile(title: string, runId: string, profile: OutputProfile, out: Output): void {
  const sample = profile.sample;
  const sampled = sample ? ` from a sample of ${formatCount(sample.rows)} rows` : '';
  out.line(`${bold(title)} ${dim(`from run ${runId}`)}: ${formatCount(profile.rows)} rows ${dim(`(profiled in ${profile.ms}ms${profile.deferred ? ' on first look' : ''})`)}`);
  out.line();
  out.line(
    formatTable(
      ['column', 'type', 'nulls', '≈distinct', 'min', 'max', 'mean'],
      profile.columns.map((c) => [c.name, c.type, nullShare(c, profile.rows), c.approxDistinct === undefined ? '' : `≈${formatCount(c.approxDistinct)}`, shown(c.min), shown(c.max), c.mean === undefined ? '' : roundish(c.mean)]),
    ),
  );
  for (const column of profile.columns) {
    if (column.topValues?.length) {
      out.line();
      out.line(`${bold(column.name)} ${dim(`top values${sampled}`)}`);
      for (const v of column.topValues) out.line(`  ${v.value}  ${formatCount(v.count)}`);
    }
    if (column.histogram?.length) {
      out.line();
      out.line(`${bold(column.name)} ${dim(`histogram${sampled}`)}`);
      const most = Math.max(1, ...column.histogram.map((b) => b.count));
      for (const bin of column.histogram) out.line(`  ${roundish(bin.from).padStart(12)} .. ${roundish(bin.to).padEnd(12)} ${'█'.repeat(Math.round((bin.count / most) * 30))} ${formatCount(bin.count)}`);
    }
  }
  out.line();
  if (sample) {
    out.line(dim(`≈distinct is estimated from a sample of ${sample.rowGroups} of ${sample.ofRowGroups} row groups (${formatCount(sample.rows)} rows; Duj1 estimator over row groups);`));
    out.line(dim('top values and histograms count the sample; rows, nulls, min, max and mean are exact'));
  } else out.line(dim('≈distinct is an estimate (HyperLogLog), which can be off by a tenth or more on large columns'));
}

function nullShare(column: ColumnProfile, rows: number): string {
  if (!column.nulls) return '0';
  return `${formatCount(column.nulls)} (${((column.nulls / Math.max(rows, 1)) * 100).toFixed(1)}%)`;
}

function shown(value: string | number | undefined): string {
  if (value === undefined) return '';
  return typeof value === 'number' ? roundish(value) : value;
}

/** Numbers to at most 4 decimals, so a mean or a histogram edge reads at a glance. */
function roundish(n: number): string {
  return Number.isInteger(n) ? String(n) : String(Math.round(n * 10_000) / 10_000);
}
