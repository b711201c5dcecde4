import { createHash } from 'node:crypto';
import type { DatasetNode } from './lineage-graph.ts';

/** The OpenLineage spec version the events follow. */
export const openLineageSchemaUrl = 'https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/RunEvent';
const errorFacetSchemaUrl = 'https://openlineage.io/spec/facets/1-0-1/ErrorMessageRunFacet.json#/$defs/ErrorMessageRunFacet';
/** Who wrote the events, as the spec asks: a URI naming the producer. */
export const openLineageProducer = 'urn:sluice';

export type OpenLineageEventType = 'START' | 'COMPLETE' | 'FAIL' | 'ABORT';

export interface OpenLineageDataset {
  readonly namespace: string;
  readonly name: string;
}

/** A RunEvent of the OpenLineage spec (2-0-2). */
export interface OpenLineageRunEvent {
  readonly eventType: OpenLineageEventType;
  readonly eventTime: string;
  readonly producer: string;
  readonly schemaURL: string;
  readonly run: { readonly runId: string; readonly facets: Readonly<Record<string, unknown>> };
  readonly job: { readonly namespace: string; readonly name: string; readonly facets: Readonly<Record<string, unknown>> };
  readonly inputs: readonly OpenLineageDataset[];
  readonly outputs: readonly OpenLineageDataset[];
}

export interface RunEventInput {
  readonly eventType: OpenLineageEventType;
  readonly at: Date;
  /** Sluice's own run id; the event carries a UUID made from it, the same for every event of the run. */
  readonly runId: string;
  /** The job's namespace: the project, unless sluice.yaml names another. */
  readonly namespace: string;
  readonly pipeline: string;
  readonly inputs: readonly DatasetNode[];
  readonly outputs: readonly DatasetNode[];
  /** For FAIL: what went wrong (never a secret: messages are masked before they get here). */
  readonly error?: string | undefined;
}

/**
 * One OpenLineage RunEvent for a pipeline run: the pipeline is the job, the
 * tables and files its blocks read and write are the input and output datasets.
 */
export function openLineageRunEvent(input: RunEventInput): OpenLineageRunEvent {
  const runFacets = input.error === undefined
    ? {}
    : { errorMessage: { _producer: openLineageProducer, _schemaURL: errorFacetSchemaUrl, message: input.error, programmingLanguage: 'TypeScript' } };
  return {
    eventType: input.eventType,
    eventTime: input.at.toISOString(),
    producer: openLineageProducer,
    schemaURL: openLineageSchemaUrl,
    run: { runId: runUuid(input.runId), facets: runFacets },
    job: { namespace: input.namespace, name: input.pipeline, facets: {} },
    inputs: input.inputs.map((d) => openLineageDataset(d, input.namespace)),
    outputs: input.outputs.map((d) => openLineageDataset(d, input.namespace)),
  };
}

/** A table is named within its connection; files within the project (`file` namespace, as the spec's naming suggests for local files). */
export function openLineageDataset(dataset: DatasetNode, namespace: string): OpenLineageDataset {
  switch (dataset.type) {
    case 'table':
      return { namespace: `${namespace}.${dataset.namespace}`, name: dataset.name };
    case 'file':
      return { namespace: 'file', name: dataset.name };
    case 'api':
      return { namespace: `${namespace}.${dataset.namespace}`, name: dataset.name };
  }
}

/** The spec wants a UUID per run; Sluice's run ids are not, so each maps to a stable name-based UUID (version 5 layout). */
export function runUuid(runId: string): string {
  const bytes = createHash('sha1').update(`sluice-run:${runId}`).digest().subarray(0, 16);
  bytes[6] = (bytes[6]! & 0x0f) | 0x50;
  bytes[8] = (bytes[8]! & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
