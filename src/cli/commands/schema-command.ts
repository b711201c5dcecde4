import { loadPipeline } from '../../core/pipeline/load-pipeline.ts';
import { loadProject } from '../../core/project/load-project.ts';
import { createEngine } from '../../engine/create-engine.ts';
import { bold, dim, type Output } from '../output.ts';
import { integrationStreams } from './state-command.ts';

/** `sluice schema history PIPELINE`: every schema change its syncs made (or refused), oldest first. */
export async function schemaHistoryCommand(pipelineName: string, options: { stream?: string; json?: boolean }, out: Output): Promise<number> {
  const project = loadProject(process.cwd());
  const pipeline = loadPipeline(project.root, pipelineName);
  integrationStreams(pipeline);
  const engine = await createEngine(project);
  try {
    const events = (await engine.store.listSchemaEvents(pipeline.name)).filter((e) => options.stream === undefined || e.stream === options.stream);
    if (options.json) {
      out.line(JSON.stringify(events, null, 2));
      return 0;
    }
    if (!events.length) {
      out.line(`no schema changes recorded for ${pipeline.name}`);
      return 0;
    }
    for (const e of events) {
      out.line(`${dim(e.at)}  ${bold(e.stream)}  ${e.table}  ${e.kind}: ${e.detail}${e.runId ? dim(`  (run ${e.runId})`) : ''}`);
    }
    return 0;
  } finally {
    await engine.close();
  }
}
