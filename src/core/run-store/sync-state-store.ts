/** A copy of an integration stream's committed state (the destination holds the truth). */
export interface SyncStateRecord {
  readonly pipeline: string;
  readonly stream: string;
  readonly state: Readonly<Record<string, unknown>>;
  readonly updatedAt: string;
}

/** A change to a destination table's shape made (or refused) by a sync. */
export interface SchemaEventRecord {
  readonly pipeline: string;
  readonly stream: string;
  readonly table: string;
  /** e.g. `create_table`, `add_column`, `widen_column`, `dropped_column`, `reject_rows`, `freeze_violation`. */
  readonly kind: string;
  readonly detail: string;
  readonly runId?: string | undefined;
  readonly at: string;
}

/**
 * What integration and CDC syncs keep beside the run: a mirror of each
 * stream's committed state, and the schema changes they made. One role of the run store.
 */
export interface SyncStateStore {
  /** Mirrors an integration stream's state after each committed batch. */
  putSyncState(record: SyncStateRecord): Promise<void>;
  listSyncState(pipeline: string): Promise<SyncStateRecord[]>;
  /** Forgets the mirrored state of a pipeline's streams (all, or one). */
  deleteSyncState(pipeline: string, stream?: string): Promise<void>;
  appendSchemaEvent(event: SchemaEventRecord): Promise<void>;
  /** Oldest first. */
  listSchemaEvents(pipeline: string): Promise<SchemaEventRecord[]>;
}
