import type { Column } from '../core/data-plane/data-plane.ts';
import type { StreamState, SyncContext, SyncDestination, SyncInput } from '../core/connectors/sync-destination.ts';
import type { StreamSinkFile } from '../core/pipeline/streaming-schema.ts';
import { ConfigError } from '../core/errors.ts';
import { CommittedIds } from './committed-ids.ts';
import { windowStateFrom, type WindowState } from './windows/window-aggregator.ts';

/** What a sink has committed, kept in its state row beside the rows. */
export interface SinkProgress {
  readonly records: number;
  readonly messages: number;
  readonly batches: number;
}

/**
 * One sink of a streaming pipeline, over a connector's sync destination.
 * Each write commits the rows and the sink's committed message ids in ONE
 * transaction (the destination's state row), and refuses to commit when
 * another process wrote the same state meanwhile. So a message is in the
 * table exactly when its id is in the committed ids, whatever was killed when.
 */
export class StreamSink {
  private committed = new CommittedIds();
  private state: StreamState | null = null;
  private progress: SinkProgress = { records: 0, messages: 0, batches: 0 };
  private shape: { columns: Set<string>; exists: boolean } | undefined;
  private windows: WindowState | undefined;

  constructor(
    readonly pipeline: string,
    readonly spec: StreamSinkFile,
    readonly destination: SyncDestination,
  ) {}

  /** The state row's stream name: one per sink table. */
  get stream(): string {
    return `stream:${this.spec.table}`;
  }

  /** Reads the committed ids and progress; call before the first write and after a refused one. */
  async load(context: SyncContext): Promise<void> {
    if (this.spec.sequence !== undefined && !this.destination.keepsNewerRows) {
      throw new ConfigError('stream.sequence_unsupported', `sink ${this.spec.connection} ${this.spec.table}: connection '${this.destination.name}' cannot keep the newest row by a sequence column (PostgreSQL can); leave sequence out to let the last delivered row win`);
    }
    await this.destination.prepare(context);
    const [stored] = await this.destination.readState(this.pipeline, this.stream);
    this.state = stored?.state ?? null;
    this.committed = CommittedIds.fromJSON(stored?.state.committed);
    this.windows = windowStateFrom(stored?.state.window);
    const p = (stored?.state.progress ?? {}) as Partial<SinkProgress>;
    this.progress = { records: p.records ?? 0, messages: p.messages ?? 0, batches: p.batches ?? 0 };
  }

  hasCommitted(id: string): boolean {
    return this.committed.has(id);
  }

  get totals(): SinkProgress {
    return this.progress;
  }

  /** The open windows as committed, for a windowed pipeline. */
  get windowState(): WindowState | undefined {
    return this.windows;
  }

  /**
   * Commits a batch: its rows (none when every record was filtered out) and
   * the ids of the messages they came from, in one transaction. Ids the
   * broker has settled are pruned first. A windowed pipeline's open windows
   * after the batch are committed in the same transaction.
   */
  async write(input: SyncInput | undefined, ids: readonly string[], settled: (id: string) => boolean, context: SyncContext, windows?: WindowState): Promise<number> {
    if (input && input.rows > 0) await this.ensureColumns(input.columns, context);
    const committed = this.committed.clone();
    committed.prune(settled);
    for (const id of ids) committed.add(id);
    const rows = input && input.rows > 0 ? input : undefined;
    const progress = { records: this.progress.records + (rows?.rows ?? 0), messages: this.progress.messages + ids.length, batches: this.progress.batches + 1 };
    const state = { committed: committed.toJSON(), progress, committed_at: new Date().toISOString(), ...(windows ? { window: windows } : {}) };
    const change = !rows ? ({ kind: 'state_only' } as const) : this.spec.mode === 'upsert' ? ({ kind: 'upsert', input: rows, key: this.spec.key!, newerBy: this.spec.sequence } as const) : ({ kind: 'append', input: rows } as const);
    const result = await this.destination.applyBatch({ pipeline: this.pipeline, stream: this.stream, table: { name: this.spec.table }, change, state, previousState: this.state }, context);
    this.state = state;
    this.committed = committed;
    this.progress = progress;
    if (windows) this.windows = windows;
    return result.rows;
  }

  /** Creates the table on the first batch, and adds the columns later batches bring. */
  private async ensureColumns(columns: readonly Column[], context: SyncContext): Promise<void> {
    if (!this.shape) {
      const described = await this.destination.describeTable({ name: this.spec.table });
      this.shape = { columns: new Set(described?.columns.map((c) => c.name) ?? []), exists: described !== undefined };
    }
    if (!this.shape.exists) {
      await this.destination.createTable({ name: this.spec.table }, columns, this.spec.key ?? [], context);
      this.shape = { columns: new Set(columns.map((c) => c.name)), exists: true };
      return;
    }
    for (const column of columns) {
      if (this.shape.columns.has(column.name)) continue;
      await this.destination.alterTable({ name: this.spec.table }, { kind: 'add_column', column: column.name, type: column.type }, context);
      this.shape.columns.add(column.name);
    }
  }
}
