import { loadPipeline } from '../../core/pipeline/load-pipeline.ts';
import { loadProject } from '../../core/project/load-project.ts';
import type { DriftAction } from '../../core/run-store/run-store.ts';
import { createEngine } from '../../engine/create-engine.ts';
import { bold, dim, green, red, yellow, type Output } from '../output.ts';
import { UsageError } from '../usage-error.ts';

/** `sluice drift [PIPELINE]`: the drift found in block outputs, newest first, with the run and block where it began. */
export async function driftCommand(pipelineName: string | undefined, options: { run?: string; limit?: string; json?: boolean }, out: Output): Promise<number> {
  const limit = Number(options.limit ?? 50);
  if (!Number.isInteger(limit) || limit <= 0) throw new UsageError(`--limit takes a positive whole number; got '${options.limit}'`);
  const project = loadProject(process.cwd());
  // Loading the pipeline checks its name, so a typo is an error rather than an empty list.
  const pipeline = pipelineName === undefined ? undefined : loadPipeline(project.root, pipelineName).name;
  const engine = await createEngine(project);
  try {
    const events = await engine.store.listDriftEvents({ pipeline, runId: options.run, limit });
    if (options.json) {
      out.line(JSON.stringify(events, null, 2));
      return 0;
    }
    if (!events.length) {
      out.line(`no drift recorded${pipeline ? ` for ${pipeline}` : ''}${options.run ? ` in run ${options.run}` : ''}`);
      return 0;
    }
    // One line each: a drift's message is the point, and a table would cut it.
    for (const e of events) {
      const rows = e.rows ? dim(` (${e.rows} row${e.rows === 1 ? '' : 's'})`) : '';
      out.line(`${dim(e.at.slice(0, 19).replace('T', ' '))}  ${pipeline ? '' : `${e.pipeline} `}${bold(e.block)}  ${paint(e.action)}  ${e.message}${rows}  ${dim(`run ${e.runId}`)}`);
    }
    return 0;
  } finally {
    await engine.close();
  }
}

function paint(action: DriftAction): string {
  switch (action) {
    case 'failed':
      return red(action);
    case 'warned':
    case 'discarded':
      return yellow(action);
    case 'accepted':
      return green(action);
  }
}
