import { ConfigError } from '../../core/errors.ts';
import { loadPipeline } from '../../core/pipeline/load-pipeline.ts';
import type { Pipeline } from '../../core/pipeline/pipeline.ts';
import { loadProject, type Project } from '../../core/project/load-project.ts';
import { syncStreamSpecSchema, type SyncStreamSpec } from '../../core/pipeline/integration-schema.ts';
import type { SyncDestination } from '../../core/connectors/sync-destination.ts';
import { openSyncDestination } from '../../core/connectors/open-sync-destination.ts';
import { createEngine, type Engine } from '../../engine/create-engine.ts';
import { bold, dim, green, yellow, type Output } from '../output.ts';

/**
 * `sluice state show|reset PIPELINE [--stream S]`: the committed position of
 * an integration pipeline's streams, read from the destination (where it is
 * committed with the data), and the way to start a stream over.
 */
export async function stateShowCommand(pipelineName: string, options: { stream?: string; json?: boolean }, out: Output): Promise<number> {
  return withDestination(pipelineName, options.stream, async ({ project, pipeline, streams, destination, engine }) => {
    const committed = await destination.readState(pipeline.name);
    const mirrored = new Map((await engine.store.listSyncState(pipeline.name)).map((s) => [s.stream, s]));
    const rows = streams.map((spec) => ({ spec, state: committed.find((s) => s.stream === spec.stream), mirror: mirrored.get(spec.stream) }));
    if (options.json) {
      out.line(JSON.stringify(rows.map((r) => ({ stream: r.spec.stream, mode: r.spec.mode, table: r.spec.destinationTable, state: r.state?.state ?? null, updatedAt: r.state?.updatedAt ?? null })), null, 2));
      return 0;
    }
    for (const { spec, state, mirror } of rows) {
      out.line(`${bold(spec.stream)} ${dim(`${spec.mode} -> ${spec.destinationTable} in '${spec.destination}'`)}`);
      if (!state) {
        out.line(`  ${dim('no state: the next run starts from the beginning')}`);
        continue;
      }
      out.line(`  ${JSON.stringify(state.state)}`);
      out.line(`  ${dim(`committed ${state.updatedAt}`)}`);
      if (mirror && JSON.stringify(mirror.state) !== JSON.stringify(state.state)) {
        out.line(`  ${yellow('the run store mirror differs (it catches up at the next batch):')} ${JSON.stringify(mirror.state)}`);
      }
    }
    if (streams.some((s) => s.mode === 'cdc')) {
      const { readCdcSlot } = await import('../../cdc/cdc-status.ts');
      const slot = await readCdcSlot({ project, connectors: engine.connectors }, pipeline);
      out.line(slot.exists ? `cdc slot ${bold(slot.slot)}: lag ${slot.lagBytes ?? '?'} bytes (WAL held on the source), confirmed ${slot.confirmedPosition ?? '-'}${slot.active ? ', streaming now' : ''}` : `cdc slot ${bold(slot.slot)}: ${dim('not created yet')}`);
    }
    return 0;
  });
}

export async function stateResetCommand(pipelineName: string, options: { stream?: string }, out: Output): Promise<number> {
  return withDestination(pipelineName, options.stream, async ({ pipeline, streams, destination, engine }) => {
    let removed = 0;
    for (const spec of streams) {
      removed += await destination.resetState(pipeline.name, spec.stream);
      await engine.store.deleteSyncState(pipeline.name, spec.stream);
    }
    const which = options.stream ? `stream '${options.stream}'` : `${streams.length} stream(s)`;
    out.line(`${green('reset')} ${which} of ${pipeline.name} (${removed} state row(s) removed from '${streams[0]!.destination}'); the next run starts from the beginning`);
    return 0;
  });
}

interface Target {
  readonly project: Project;
  readonly engine: Engine;
  readonly pipeline: Pipeline;
  readonly streams: readonly SyncStreamSpec[];
  readonly destination: SyncDestination;
}

async function withDestination(pipelineName: string, stream: string | undefined, work: (target: Target) => Promise<number>): Promise<number> {
  const project = loadProject(process.cwd());
  const pipeline = loadPipeline(project.root, pipelineName);
  const streams = integrationStreams(pipeline).filter((s) => stream === undefined || s.stream === stream);
  if (stream !== undefined && !streams.length) {
    const known = integrationStreams(pipeline).map((s) => s.stream);
    throw new ConfigError('state.unknown_stream', `pipeline '${pipeline.name}' has no stream '${stream}' (streams: ${known.join(', ')})`);
  }
  const engine = await createEngine(project);
  try {
    const session = await (await engine.dataPlane()).openSession();
    try {
      const destination = await openSyncDestination(project, engine.connectors, streams[0]!.destination, session);
      try {
        return await work({ project, engine, pipeline, streams, destination });
      } finally {
        await destination.close();
      }
    } finally {
      await session.close();
    }
  } finally {
    await engine.close();
  }
}

/** The streams of an integration pipeline; any other pipeline is an error. */
export function integrationStreams(pipeline: Pipeline): SyncStreamSpec[] {
  const streams = pipeline.blocks.flatMap((b) => (b.language === 'sync' ? [syncStreamSpecSchema.parse(b.settings)] : []));
  if (!streams.length) throw new ConfigError('state.not_integration', `pipeline '${pipeline.name}' is not an integration pipeline (kind: integration); it keeps no sync state`);
  return streams;
}
