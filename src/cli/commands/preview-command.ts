import path from 'node:path';
import type { Row } from '../../core/data-plane/data-plane.ts';
import { rejectsLocation } from '../../core/connectors/rejects-location.ts';
import { ConfigError } from '../../core/errors.ts';
import { loadPipeline } from '../../core/pipeline/load-pipeline.ts';
import { loadProject } from '../../core/project/load-project.ts';
import { createEngine } from '../../engine/create-engine.ts';
import { chooseOutput } from './choose-output.ts';
import { bold, dim, formatCount, formatTable, showValue, type Output } from '../output.ts';
import { UsageError } from '../usage-error.ts';

/**
 * `sluice preview PIPELINE BLOCK`: the schema, row count and first rows of a
 * block's latest output. When the block's latest run failed it says so first:
 * a failed test shows its failing rows; any other block its last good output.
 */
export async function previewCommand(pipelineName: string, blockName: string, options: { limit?: string; rejects?: boolean }, out: Output): Promise<number> {
  const project = loadProject(process.cwd());
  const pipeline = loadPipeline(project.root, pipelineName);
  // A block's quarantined rows are an output of their own, `<block>__quarantine`.
  if (!pipeline.blocks.some((b) => b.name === blockName || `${b.name}__quarantine` === blockName)) {
    throw new UsageError(`pipeline '${pipeline.name}' has no block '${blockName}' (blocks: ${pipeline.blocks.map((b) => b.name).join(', ')})`);
  }
  const limit = Number(options.limit ?? 10);
  if (!Number.isInteger(limit) || limit < 0) throw new UsageError(`--limit takes a whole number; got '${options.limit}'`);
  const engine = await createEngine(project);
  try {
    const shown = await chooseOutput(engine.store, pipeline.name, blockName, options.rejects === true, async (runId) => {
      const location = engine.outputs.location({ pipeline: pipeline.name, runId, block: blockName });
      return (await engine.outputs.exists(rejectsLocation(location))) ? location : undefined;
    });
    for (const note of shown.notes) out.line(note);
    const latest = shown.record;
    const location = options.rejects ? rejectsLocation(latest.output) : latest.output;
    if (!(await engine.outputs.exists(location))) {
      if (options.rejects) {
        out.line(`block '${blockName}' rejected no rows in run ${latest.runId}`);
        return 0;
      }
      throw new ConfigError('preview.output_gone', `the output of '${blockName}' from run ${latest.runId} is no longer kept; run the block again`);
    }
    const session = await (await engine.dataPlane()).openSession();
    try {
      await session.attach('__preview', { location: await engine.outputs.read(location), rows: 0, columns: [] });
      const source = '__preview';
      const columns = await session.describe(`SELECT * FROM ${source}`);
      const [{ n } = { n: 0 }] = await session.query(`SELECT count(*) AS n FROM ${source}`);
      const rows = await session.query(`SELECT * FROM ${source} LIMIT ${limit}`);
      const from = latest.status === 'failed' ? `failing rows of test '${blockName}' from failed run ${latest.runId}` : `from run ${latest.runId}`;
      if (options.rejects) {
        out.line(`${bold(`${pipeline.name}.${blockName}`)} rejects ${dim(`from run ${latest.runId}`)}: ${formatCount(Number(n))} rows`);
        for (const row of rows) showReject(row, project.root, out);
        if (Number(n) > rows.length) out.line(dim(`… ${formatCount(Number(n) - rows.length)} more rows (--limit shows more)`));
        return 0;
      }
      out.line(`${bold(`${pipeline.name}.${blockName}`)} ${dim(from)}: ${formatCount(Number(n))} rows`);
      out.line();
      out.line(formatTable(['column', 'type'], columns.map((c) => [c.name, c.type])));
      out.line();
      if (rows.length) out.line(formatTable(columns.map((c) => c.name), rows.map((r) => columns.map((c) => showValue(r[c.name])))));
      if (Number(n) > rows.length) out.line(dim(`… ${formatCount(Number(n) - rows.length)} more rows`));
      return 0;
    } finally {
      await session.close();
    }
  } finally {
    await engine.close();
  }
}

/**
 * One rejected row: where it is, its whole reason, and the row as read. A
 * table would cut reasons to its column width; a reason is what the user acts on.
 */
function showReject(row: Row, root: string, out: Output): void {
  const file = typeof row.file === 'string' ? row.file : '';
  const shown = path.isAbsolute(file) ? path.relative(root, file) || file : file;
  const where = [
    `${shown}${row.line != null ? `:${showValue(row.line)}` : ''}`,
    row.sheet != null ? `sheet ${showValue(row.sheet)}` : '',
    row.record != null ? `record ${showValue(row.record)}` : '',
    row.column != null ? `column ${showValue(row.column)}` : '',
  ].filter(Boolean);
  out.line();
  out.line(`${where.join(', ')}: ${escapeBreaks(showValue(row.reason))}`);
  if (row.row != null) out.line(dim(`  row: ${escapeBreaks(showValue(row.row))}`));
}

/** Line breaks inside a value would read as the next line of output. */
function escapeBreaks(text: string): string {
  return text.replace(/\r/g, '\\r').replace(/\n/g, '\\n');
}
