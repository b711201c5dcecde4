import { readCdcStatus, dropCdc, type CdcStatus } from '../../cdc/cdc-status.ts';
import { loadPipeline } from '../../core/pipeline/load-pipeline.ts';
import { loadProject } from '../../core/project/load-project.ts';
import { createEngine } from '../../engine/create-engine.ts';
import { bold, dim, green, type Output } from '../output.ts';

/** `sluice cdc status PIPELINE`: the slot's lag on the source and the position applied in the destination. */
export async function cdcStatusCommand(pipelineName: string, options: { json?: boolean }, out: Output): Promise<number> {
  const project = loadProject(process.cwd());
  const engine = await createEngine(project);
  const status = await readCdcStatus(engine, loadPipeline(project.root, pipelineName)).finally(() => engine.close());
  if (options.json) out.line(JSON.stringify(status, null, 2));
  else for (const line of describeCdcStatus(status)) out.line(line);
  return 0;
}

/** Lines for `sluice cdc status` and `sluice state show`. */
export function describeCdcStatus(status: CdcStatus): string[] {
  const slot = status.slotExists
    ? `slot ${bold(status.slot)}${status.slotActive ? ' (streaming now)' : ''}: lag ${status.lagBytes ?? '?'} bytes, confirmed ${status.confirmedPosition ?? '-'}`
    : `slot ${bold(status.slot)}: ${dim('not created yet (the next run creates it and copies a snapshot)')}`;
  const applied = status.appliedPosition
    ? `applied up to ${status.appliedPosition}${status.sourceCommitTime ? ` (source commit ${status.sourceCommitTime})` : ''}, committed ${status.appliedAt}`
    : dim('nothing applied yet: the next run starts with a snapshot');
  return [slot, `  ${applied}`];
}

/** `sluice cdc drop PIPELINE`: removes the slot and publication, so the source keeps no WAL for the pipeline. */
export async function cdcDropCommand(pipelineName: string, out: Output): Promise<number> {
  const project = loadProject(process.cwd());
  const engine = await createEngine(project);
  const dropped = await dropCdc(engine, loadPipeline(project.root, pipelineName)).finally(() => engine.close());
  out.line(
    `${green('dropped')} slot ${dropped.slotName}${dropped.slot ? '' : dim(' (was not there)')}, publication ${dropped.publicationName}${dropped.publication ? '' : dim(' (was not there)')}; the next run starts with a new snapshot`,
  );
  return 0;
}
