import path from 'node:path';
import type { Client } from 'pg';
import type { Pipeline } from '../core/pipeline/pipeline.ts';
import type { Project } from '../core/project/load-project.ts';
import type { SyncDestination } from '../integration/sync-destination.ts';
import { openSyncDestination } from '../integration/sync-destinations.ts';
import { readCdcPosition } from './cdc-position.ts';
import { cdcSyncSpec } from './cdc-pipeline.ts';
import { formatLsn } from './lsn.ts';
import { dropPublication, dropSlot, slotStatus } from './replication-slot.ts';
import type { CdcSyncSpec } from './run-cdc-sync.ts';

/** A pipeline's CDC as the source and the destination see it. */
export interface CdcStatus {
  readonly slot: string;
  readonly publication: string;
  readonly slotExists: boolean;
  readonly slotActive: boolean;
  /** Bytes of WAL the slot holds on the source: pg_current_wal_lsn() - confirmed_flush_lsn. */
  readonly lagBytes: string | undefined;
  readonly confirmedLsn: string | undefined;
  /** The position committed in the destination with the last applied batch. */
  readonly appliedLsn: string | undefined;
  readonly appliedAt: string | undefined;
  readonly sourceCommitTime: string | undefined;
}

async function withSource<T>(spec: CdcSyncSpec, work: (client: Client) => Promise<T>): Promise<T> {
  const pg = await import('pg');
  const client: Client = new pg.Client({ ...spec.source, application_name: 'sluice-cdc' });
  client.on('error', () => undefined);
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end().catch(() => undefined);
  }
}

/**
 * Opens the destination outside a run: a sync destination works through a
 * data-plane session (a DuckDB destination attaches its file to it), so
 * this opens one of its own.
 */
async function withDestination<T>(project: Project, name: string, work: (destination: SyncDestination) => Promise<T>): Promise<T> {
  const { createDuckDbDataPlane } = await import('../core/data-plane/duckdb-data-plane.ts');
  const plane = await createDuckDbDataPlane({ tempDir: path.join(project.stateDir, 'spill', String(process.pid)), fileSearchPath: project.root });
  try {
    const session = await plane.openSession();
    try {
      const destination = await openSyncDestination(project, name, session);
      try {
        return await work(destination);
      } finally {
        await destination.close();
      }
    } finally {
      await session.close();
    }
  } finally {
    await plane.close();
  }
}

/** The slot's lag on the source alone, for views that read the destination's position themselves. */
export async function readCdcSlot(project: Project, pipeline: Pipeline): Promise<{ slot: string; exists: boolean; active: boolean; lagBytes: string | undefined; confirmedLsn: string | undefined }> {
  const { spec } = cdcSyncSpec(project, pipeline);
  const slot = await withSource(spec, (client) => slotStatus(client, spec.slot));
  return {
    slot: spec.slot,
    exists: slot !== undefined,
    active: slot?.active ?? false,
    lagBytes: slot?.lagBytes?.toString(),
    confirmedLsn: slot?.confirmedFlush === undefined ? undefined : formatLsn(slot.confirmedFlush),
  };
}

/** Reads the slot's lag on the source and the position committed in the destination. */
export async function readCdcStatus(project: Project, pipeline: Pipeline): Promise<CdcStatus> {
  const { spec, destination: destinationName } = cdcSyncSpec(project, pipeline);
  const slot = await withSource(spec, (client) => slotStatus(client, spec.slot));
  const position = await withDestination(project, destinationName, (destination) => readCdcPosition(destination, spec.pipeline, spec.streams.map((s) => s.stream)));
  return {
    slot: spec.slot,
    publication: spec.publication,
    slotExists: slot !== undefined,
    slotActive: slot?.active ?? false,
    lagBytes: slot?.lagBytes?.toString(),
    confirmedLsn: slot?.confirmedFlush === undefined ? undefined : formatLsn(slot.confirmedFlush),
    appliedLsn: position ? formatLsn(position.lsn) : undefined,
    appliedAt: position?.appliedAt.toISOString(),
    sourceCommitTime: position?.sourceCommitTime?.toISOString(),
  };
}

/**
 * Removes the pipeline's slot and publication from the source, releasing the
 * WAL the slot holds, and forgets the CDC position in the destination so the
 * next run starts from a new snapshot. The destination's tables stay.
 */
export async function dropCdc(project: Project, pipeline: Pipeline): Promise<{ slot: boolean; publication: boolean; slotName: string; publicationName: string }> {
  const { spec, destination: destinationName } = cdcSyncSpec(project, pipeline);
  const dropped = await withSource(spec, async (client) => ({ slot: await dropSlot(client, spec.slot), publication: await dropPublication(client, spec.publication) }));
  await withDestination(project, destinationName, async (destination) => {
    for (const s of spec.streams) await destination.resetState(spec.pipeline, s.stream);
  });
  return { ...dropped, slotName: spec.slot, publicationName: spec.publication };
}
