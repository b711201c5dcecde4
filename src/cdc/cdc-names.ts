import { createHash } from 'node:crypto';

/** Where a pipeline's change stream lives in the source database. */
export interface CdcNames {
  /** The logical replication slot: lowercase letters, digits and `_`, at most 63 characters. */
  readonly slot: string;
  /** The publication listing the streamed tables. */
  readonly publication: string;
}

/**
 * Derives the slot and publication names from the pipeline name. Slot names
 * only allow `[a-z0-9_]`, so the readable part is folded and a hash of the
 * exact name keeps `Orders` and `orders` (or `a.b` and `a_b`) apart; the
 * project's name goes into the hash, so two projects' pipelines of the same
 * name never share a slot on one server.
 */
export function cdcNames(pipeline: string, project = ''): CdcNames {
  const readable = pipeline.toLowerCase().replace(/[^a-z0-9_]/g, '_').slice(0, 40);
  const hash = createHash('sha256').update(`${project}\0${pipeline}`).digest('hex').slice(0, 8);
  const base = `sluice_${readable}_${hash}`;
  return { slot: base, publication: base };
}


