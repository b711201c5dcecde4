import { readFileSync } from 'node:fs';
import path from 'node:path';
import { transform } from 'esbuild';
import { ConfigError, SluiceError, toSluiceError } from '../../core/errors.ts';
import { listPipelines, loadPipeline, pipelinePath } from '../../core/pipeline/load-pipeline.ts';
import { isStreamingFile, loadStreamingPipeline } from '../../streaming/index.ts';
import type { Block, Pipeline } from '../../core/pipeline/pipeline.ts';
import { loadProject, type Project } from '../../core/project/load-project.ts';
import { connectionSpec, warehouseConnectionName } from '../../core/project/connection-spec.ts';
import { fillTemplates } from '../../core/run/templates.ts';
import { checkCleanBlock } from '../../core/run/clean-block-runner.ts';
import { cleanTools } from '../../toolkit/clean-tools.ts';
import { checkPrepareBlock } from '../../toolkit/ml/prepare-block-runner.ts';
import { checkExamplesBlock } from '../../toolkit/llm/examples-block-runner.ts';
import { connectors, createDataPlane, openRecordedRunStore } from '../../engine/create-engine.ts';
import { checkDedupeBlock } from '../../toolkit/dedupe/dedupe-block-runner.ts';
import { loadProjectLineage } from '../../core/lineage/load-project-lineage.ts';
import { describeError, describeWarnings, green, red, yellow, type Output } from '../output.ts';
import { parseBlockSettings } from '../../core/connectors/parse-block-settings.ts';

/**
 * `sluice validate`: checks every pipeline without running anything: YAML,
 * blocks and edges, connectors and connections, block settings, and that
 * every TypeScript block compiles.
 */
export async function validateCommand(out: Output): Promise<number> {
  const project = loadProject(process.cwd());
  const names = listPipelines(project.root);
  let problems = 0;
  for (const warning of describeWarnings(project)) out.line(yellow(warning));
  for (const name of names) {
    const found: SluiceError[] = [];
    let pipeline: Pipeline | undefined;
    if (isStreamingFile(pipelinePath(project.root, name))) found.push(...(await checkStreamingPipeline(project, name)));
    else {
      try {
        pipeline = loadPipeline(project.root, name);
      } catch (error) {
        found.push(toSluiceError(error));
      }
    }
    if (pipeline) for (const block of pipeline.blocks) found.push(...(await checkBlock(project, pipeline, block)));
    if (pipeline?.onStream) found.push(...checkStreamTrigger(project, pipeline));
    problems += found.length;
    out.line(`${found.length ? red('✗') : green('✓')} ${name}`);
    if (pipeline) for (const warning of describeWarnings(pipeline)) out.line(`    ${yellow(warning)}`);
    for (const error of found) out.line(`    ${describeError(error, project.root)}`);
  }
  if (!names.length) out.line('no pipelines in pipelines/');
  for (const warning of await twoWriterWarnings(project)) out.line(yellow(`warning: ${warning}`));
  out.line(problems ? red(`${problems} problem(s)`) : green(`${names.length} pipeline(s) valid`));
  return problems ? 2 : 0;
}

/**
 * Tables that two blocks or pipelines write: a warning, since an owner may
 * intend it. Read from the files, and from the run store when the project has
 * one: a TypeScript block's tables are known from its last run. No run is touched.
 */
async function twoWriterWarnings(project: Project): Promise<string[]> {
  const plane = await createDataPlane(project);
  const store = await openRecordedRunStore(project);
  try {
    const session = await plane.openSession();
    try {
      const { warnings } = await loadProjectLineage({ project, connectors, session, store });
      return warnings.map((w) => w.message);
    } finally {
      await session.close();
    }
  } finally {
    await store?.close();
    await plane.close();
  }
}

async function checkBlock(project: Project, pipeline: Pipeline, block: Block): Promise<SluiceError[]> {
  const where = { file: block.declaredAt.file, line: block.declaredAt.line, block: block.name };
  try {
    switch (block.language) {
      case 'ts': {
        await transform(readFileSync(block.file, 'utf8'), { loader: 'ts', format: 'esm', sourcefile: block.file }).catch((error: { errors?: { text: string; location?: { line: number; column: number } }[] }) => {
          const first = error.errors?.[0];
          throw new SluiceError('block.compile_failed', `does not compile: ${first?.text ?? String(error)}`, {
            location: { file: path.relative(project.root, block.file), line: first?.location?.line, column: first ? (first.location?.column ?? 0) + 1 : undefined, block: block.name },
          });
        });
        return [];
      }
      case 'sql':
        if (block.connection) checkConnection(project, fillTemplates(block.connection, pipeline.variables, where), where);
        return [];
      case 'connector': {
        const connectionName = block.connection && String(fillTemplates(block.connection, pipeline.variables, where));
        const kind = connectionName ? checkConnection(project, connectionName, where) : block.connector!;
        const connector = connectors.get(kind);
        if (!connector) throw new ConfigError('block.unknown_connector', `unknown connector '${kind}' (known: ${[...connectors.keys()].join(', ')})`, { location: where });
        const writing = block.role === 'exporter' || (block.role !== 'loader' && block.upstream.length > 0);
        const schema = writing ? connector.writeSchema : connector.readSchema;
        const values = { ...pipeline.variables, run_id: 'validate', pipeline: pipeline.name, logical_date: '', data_interval_start: '', data_interval_end: '' };
        parseBlockSettings(schema, fillTemplates(block.settings, values, where), kind, where, block.settingLines);
        return [];
      }
      case 'sync':
        for (const key of ['source', 'destination']) checkConnection(project, String(block.settings[key]), where);
        return [];
      case 'clean':
        // A review block cleans some of its clean block's columns again: they are checked once, with the block as written.
        if (block.part !== 'review') checkCleanBlock(block, cleanTools, undefined, project.root);
        return [];
      case 'prepare':
        // The train and test blocks share the split block's settings: they are checked once.
        if (block.part === 'split') checkPrepareBlock(block);
        return [];
      case 'stream_lag':
        // Its pipeline was found and is a streaming one when the pipeline loaded; the metrics are read when it runs.
        return [];
      case 'dedupe':
        // Both parts of a dedupe block share its settings: they are checked once, with the block as written.
        if (block.part === 'clusters') checkDedupeBlock(block);
        return [];
      case 'examples':
        // The train and validation blocks share the examples block's settings: they are checked once.
        if (block.part === 'examples') checkExamplesBlock(block);
        return [];
    }
  } catch (error) {
    return [toSluiceError(error)];
  }
}

/** An `on_stream` trigger names a streaming pipeline of the project, with a window when it waits for windows to close. */
function checkStreamTrigger(project: Project, pipeline: Pipeline): SluiceError[] {
  const trigger = pipeline.onStream!;
  const location = { file: path.relative(project.root, pipeline.file) };
  const file = pipelinePath(project.root, trigger.pipeline);
  if (!listPipelines(project.root).includes(trigger.pipeline) || !isStreamingFile(file)) {
    return [new ConfigError('pipeline.bad_stream_trigger', `on_stream.pipeline: '${trigger.pipeline}' is not a streaming pipeline of this project`, { location })];
  }
  if (!trigger.window_closed) return [];
  try {
    if (!loadStreamingPipeline(project.root, trigger.pipeline).settings.window) {
      return [new ConfigError('pipeline.bad_stream_trigger', `on_stream.window_closed: streaming pipeline '${trigger.pipeline}' has no window to close; give it a window, or use every_records`, { location })];
    }
  } catch {
    // The streaming pipeline's own problems are reported under its name.
  }
  return [];
}

/** A streaming pipeline's file, its TypeScript transformers (compiled, not run) and its sinks' connections. */
async function checkStreamingPipeline(project: Project, name: string): Promise<SluiceError[]> {
  let streaming;
  try {
    streaming = loadStreamingPipeline(project.root, name);
  } catch (error) {
    return [toSluiceError(error)];
  }
  const file = streaming.shown;
  const asBlock = (t: (typeof streaming.transformers)[number]): Block => ({ name: t.name, role: 'transformer', language: 'ts', file: t.file, settings: {}, upstream: [], declaredAt: { file } });
  const found: SluiceError[] = [];
  const pipeline: Pipeline = { name, file, variables: {}, blocks: [], version: '', apiEnabled: false, alerts: [] };
  for (const t of streaming.transformers.filter((t) => t.file.endsWith('.ts'))) found.push(...(await checkBlock(project, pipeline, asBlock(t))));
  for (const sink of streaming.settings.sinks) {
    try {
      checkConnection(project, sink.connection, { file, block: sink.table });
    } catch (error) {
      found.push(toSluiceError(error));
    }
  }
  return found;
}

function checkConnection(project: Project, name: string, where: { file: string; line?: number | undefined; block: string }): string {
  if (name !== warehouseConnectionName && !project.connections.has(name)) {
    throw new ConfigError('connection.unknown', `no connection named '${name}' (connections: ${[warehouseConnectionName, ...project.connections.keys()].join(', ')})`, { location: where });
  }
  return connectionSpec(project, name).connector;
}
