import type { CaptureSession } from '../core/connectors/change-capture.ts';
import type { ConnectorRegistry } from '../core/connectors/connector.ts';
import { openSyncDestination } from '../core/connectors/open-sync-destination.ts';
import type { SyncDestination } from '../core/connectors/sync-destination.ts';
import type { DataPlane } from '../core/data-plane/data-plane.ts';
import type { Pipeline } from '../core/pipeline/pipeline.ts';
import type { Project } from '../core/project/load-project.ts';
import { readCdcPosition } from './cdc-position.ts';
import { cdcSyncSpec } from './cdc-pipeline.ts';
import type { CdcSyncSpec } from './run-cdc-sync.ts';

/** What reading or dropping a pipeline's CDC outside a run needs, built by the composition root. */
export interface CdcEnvironment {
  readonly project: Project;
  readonly connectors: ConnectorRegistry;
  /** The data plane a destination works through (a DuckDB destination attaches its file to a session). */
  dataPlane(): Promise<DataPlane>;
}

/** A pipeline's CDC as the source and the destination see it. */
export interface CdcStatus {
  readonly slot: string;
  readonly publication: string;
  readonly slotExists: boolean;
  readonly slotActive: boolean;
  /** Bytes of log the slot holds on the source (PostgreSQL: the current WAL position minus the confirmed one). */
  readonly lagBytes: string | undefined;
  /** The last position the source was told is applied. */
  readonly confirmedPosition: string | undefined;
  /** The position committed in the destination with the last applied batch. */
  readonly appliedPosition: string | undefined;
  readonly appliedAt: string | undefined;
  readonly sourceCommitTime: string | undefined;
}

async function withSource<T>(spec: CdcSyncSpec, work: (source: CaptureSession) => Promise<T>): Promise<T> {
  const source = await spec.source.open({ slot: spec.slot, publication: spec.publication });
  try {
    return await work(source);
  } finally {
    await source.close();
  }
}

/** Opens the destination outside a run, in a session of the caller's data plane. */
async function withDestination<T>(env: CdcEnvironment, name: string, work: (destination: SyncDestination) => Promise<T>): Promise<T> {
  const session = await (await env.dataPlane()).openSession();
  try {
    const destination = await openSyncDestination(env.project, env.connectors, name, session, 'changes');
    try {
      return await work(destination);
    } finally {
      await destination.close();
    }
  } finally {
    await session.close();
  }
}

/** The slot's lag on the source alone, for views that read the destination's position themselves. */
export async function readCdcSlot(env: Pick<CdcEnvironment, 'project' | 'connectors'>, pipeline: Pipeline): Promise<{ slot: string; exists: boolean; active: boolean; lagBytes: string | undefined; confirmedPosition: string | undefined }> {
  const { spec } = cdcSyncSpec(env.project, env.connectors, pipeline);
  const slot = await withSource(spec, (source) => source.slot());
  return { slot: spec.slot, exists: slot !== undefined, active: slot?.active ?? false, lagBytes: slot?.lagBytes?.toString(), confirmedPosition: slot?.confirmed };
}

/** Reads the slot's lag on the source and the position committed in the destination. */
export async function readCdcStatus(env: CdcEnvironment, pipeline: Pipeline): Promise<CdcStatus> {
  const { spec, destination: destinationName } = cdcSyncSpec(env.project, env.connectors, pipeline);
  const slot = await withSource(spec, (source) => source.slot());
  const position = await withDestination(env, destinationName, (destination) => readCdcPosition(destination, spec.pipeline, spec.streams.map((s) => s.stream), spec.source.compare));
  return {
    slot: spec.slot,
    publication: spec.publication,
    slotExists: slot !== undefined,
    slotActive: slot?.active ?? false,
    lagBytes: slot?.lagBytes?.toString(),
    confirmedPosition: slot?.confirmed,
    appliedPosition: position?.position,
    appliedAt: position?.appliedAt.toISOString(),
    sourceCommitTime: position?.sourceCommitTime?.toISOString(),
  };
}

/**
 * Removes the pipeline's slot and publication from the source, releasing the
 * log the slot holds, and forgets the CDC position in the destination so the
 * next run starts from a new snapshot. The destination's tables stay.
 */
export async function dropCdc(env: CdcEnvironment, pipeline: Pipeline): Promise<{ slot: boolean; publication: boolean; slotName: string; publicationName: string }> {
  const { spec, destination: destinationName } = cdcSyncSpec(env.project, env.connectors, pipeline);
  const dropped = await withSource(spec, async (source) => ({ slot: await source.dropSlot(), publication: await source.dropPublication() }));
  await withDestination(env, destinationName, async (destination) => {
    for (const s of spec.streams) await destination.resetState(spec.pipeline, s.stream);
  });
  return { ...dropped, slotName: spec.slot, publicationName: spec.publication };
}
