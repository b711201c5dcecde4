import type { ConnectorRegistry } from '../connectors/connector.ts';
import type { DataPlaneSession } from '../data-plane/data-plane.ts';
import { ConfigError, toSluiceError, type SluiceError } from '../errors.ts';
import type { Block, Pipeline } from '../pipeline/pipeline.ts';
import { fillEnv } from '../project/fill-env.ts';
import type { Project } from '../project/load-project.ts';
import { mask } from '../project/secrets.ts';
import { linkSignals } from '../signals/linked-signal.ts';
import type { BlockRunRecord, RunStatus } from '../run-store/run-store.ts';
import { blockId, tableDataset, type DatasetNode, type LineageGraph } from './lineage-graph.ts';
import { openLineageRunEvent, type OpenLineageEventType } from './openlineage-event.ts';
import { projectLineage } from './project-lineage.ts';
import { createSqlParser } from './sql-parser.ts';
import type { TouchedDataset } from './touched-datasets.ts';

/** The end of a run, told to the OpenLineage endpoint. */
export interface RunLineageEnd {
  /** `records` are the run's block runs: the tables its TypeScript blocks were seen to touch are among the event's datasets. */
  finish(status: RunStatus, error: SluiceError | undefined, records?: readonly BlockRunRecord[]): Promise<void>;
}

export interface RunLineageStart {
  readonly project: Project;
  readonly pipeline: Pipeline;
  readonly blocks: readonly Block[];
  readonly runId: string;
  readonly session: Pick<DataPlaneSession, 'query'>;
  readonly connectors: ConnectorRegistry;
  /** The tables a TypeScript block touched in its last recorded run (the run store's), for the START event. */
  readonly recordedDatasets?: ((pipeline: string, block: string) => Promise<readonly TouchedDataset[] | undefined>) | undefined;
  /** Says that an event could not be sent; the run goes on regardless. */
  readonly warn: (message: string) => void;
}

const sendTimeoutMs = 5_000;

/**
 * Sends a run's START event to the OpenLineage endpoint sluice.yaml names,
 * with the datasets the run's blocks read and write, and returns what sends
 * its end (COMPLETE, FAIL or ABORT). A TypeScript block's datasets are those
 * recorded at run time: in START, from its last run; in the end event, from
 * this run when it recorded them. Without an endpoint it does nothing. An
 * endpoint that is down or refuses an event costs a warning, never the run.
 */
export async function startRunLineage(start: RunLineageStart): Promise<RunLineageEnd | undefined> {
  const settings = start.project.settings.openlineage;
  if (!settings) return undefined;
  let endpoint: { url: string; api_key?: string | undefined };
  try {
    endpoint = fillEnv({ url: settings.url, api_key: settings.api_key }, (name) => new ConfigError('openlineage.env_missing', `openlineage in sluice.yaml needs the environment variable ${name}, which is not set`));
  } catch (error) {
    start.warn(`no OpenLineage events for this run: ${toSluiceError(error).message}`);
    return undefined;
  }
  const known = await knownDatasets(start).catch((error: unknown) => {
    start.warn(`the run's datasets could not be worked out for OpenLineage: ${toSluiceError(error).message}`);
    return undefined;
  });
  const namespace = settings.namespace ?? start.project.name;
  const send = async (eventType: OpenLineageEventType, error?: SluiceError, records: readonly BlockRunRecord[] = []): Promise<void> => {
    const datasets = known ? runDatasets(start, known, records) : { inputs: [], outputs: [] };
    const event = openLineageRunEvent({ eventType, at: new Date(), runId: start.runId, namespace, pipeline: start.pipeline.name, ...datasets, error: error && mask(error.message) });
    const deadline = linkSignals([], sendTimeoutMs);
    try {
      const response = await fetch(endpoint.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(endpoint.api_key ? { authorization: `Bearer ${endpoint.api_key}` } : {}) },
        body: JSON.stringify(event),
        signal: deadline.signal,
      });
      if (!response.ok) start.warn(`the OpenLineage endpoint refused the ${eventType} event: HTTP ${response.status} ${mask((await response.text()).slice(0, 200))}`);
    } catch (failure) {
      start.warn(`the ${eventType} event could not reach the OpenLineage endpoint: ${mask((failure as Error).message)}`);
    } finally {
      deadline.dispose();
    }
  };
  await send('START');
  return {
    finish: (status, error, records) => send(status === 'succeeded' ? 'COMPLETE' : status === 'cancelled' ? 'ABORT' : 'FAIL', error, records),
  };
}

/** What the lineage knows before the run: the graph from the files, and the tables each TypeScript block touched in its last run. */
interface KnownDatasets {
  readonly graph: LineageGraph;
  readonly recorded: ReadonlyMap<string, readonly TouchedDataset[]>;
}

async function knownDatasets(start: RunLineageStart): Promise<KnownDatasets> {
  // The files' graph leaves TypeScript blocks out: their tables are added per event, from the run that recorded them.
  const graph = await projectLineage({ project: start.project, pipelines: [start.pipeline], connectors: start.connectors, parser: createSqlParser(start.session) });
  const recorded = new Map<string, readonly TouchedDataset[]>();
  for (const block of start.blocks) {
    if (block.language !== 'ts') continue;
    const last = await start.recordedDatasets?.(start.pipeline.name, block.name).catch(() => undefined);
    if (last) recorded.set(block.name, last);
  }
  return { graph, recorded };
}

/**
 * What the run's blocks read and write outside the run: its input and output
 * datasets. A TypeScript block that succeeded in this run counts with what it
 * touched in it; one that did not, with what it touched last time.
 */
function runDatasets(start: RunLineageStart, known: KnownDatasets, records: readonly BlockRunRecord[]): { inputs: DatasetNode[]; outputs: DatasetNode[] } {
  const { graph } = known;
  const running = new Set(start.blocks.map((b) => blockId(start.pipeline.name, b.name)));
  const datasets = new Map(graph.nodes.flatMap((n) => (n.kind === 'dataset' ? [[n.id, n] as const] : [])));
  const pick = (ids: string[]) => [...new Set(ids)].flatMap((id) => (datasets.has(id) ? [datasets.get(id)!] : []));
  const inputs = graph.edges.filter((e) => running.has(e.to)).map((e) => e.from);
  const outputs = graph.edges.filter((e) => running.has(e.from)).map((e) => e.to);
  const thisRun = new Map(records.filter((r) => r.status === 'succeeded').map((r) => [r.block, r.datasets ?? []]));
  for (const block of start.blocks) {
    if (block.language !== 'ts') continue;
    for (const touched of thisRun.get(block.name) ?? known.recorded.get(block.name) ?? []) {
      const dataset = tableDataset(touched.connection, touched.table);
      datasets.set(dataset.id, dataset);
      (touched.access === 'read' ? inputs : outputs).push(dataset.id);
    }
  }
  return { inputs: pick(inputs), outputs: pick(outputs) };
}
