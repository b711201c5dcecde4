import { deadLetterConnection } from '../core/pipeline/streaming-schema.ts';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { ConnectorRegistry } from '../core/connectors/connector.ts';
import { openSyncDestination } from '../core/connectors/open-sync-destination.ts';
import type { SyncContext, SyncDestination } from '../core/connectors/sync-destination.ts';
import type { DataPlaneSession } from '../core/data-plane/data-plane.ts';
import { ConfigError, ConnectorError } from '../core/errors.ts';
import type { Project } from '../core/project/load-project.ts';
import { createConnectionPool } from '../core/run/connection-pool.ts';
import type { Logger } from '../core/run/logger.ts';
import { BatchStager } from './batch-stager.ts';
import { deadLetterKey, deadLetterStream } from './dead-letters.ts';
import type { StreamingPipeline } from './load-streaming-pipeline.ts';
import { openStreamPublisher } from './open-stream-source.ts';

/** A row of the dead-letter table, as `sluice stream dlq list` shows it. */
export interface DeadLetterEntry {
  readonly messageId: string;
  readonly source: string;
  readonly reason: string;
  readonly payload: string;
  /** `utf-8`: the payload is the message's text; `base64`: its bytes, encoded. */
  readonly payloadEncoding: string;
  readonly deliveries: number;
  readonly failedAt: string;
}

/** Which dead letters a replay or drop takes. */
export type DeadLetterSelection = { readonly id: string } | 'all';

export interface ReplayResult {
  /** Published again and removed from the table. */
  readonly replayed: number;
  /** Why the replay stopped early; the letters not replayed stay in the table. */
  readonly error?: Error | undefined;
}

/**
 * A streaming pipeline's dead letters: listed from the dead-letter table in
 * the dead_letter_connection (the first table sink's by default), replayed into the source's broker, or dropped.
 * A replayed letter is removed only after the broker accepted it, so a replay
 * that fails midway loses nothing: what was not published stays listed.
 */
export class DeadLetterQueue {
  private constructor(
    private readonly project: Project,
    private readonly connectors: ConnectorRegistry,
    private readonly pipeline: StreamingPipeline,
    private readonly destination: SyncDestination,
    private readonly context: SyncContext,
  ) {}

  static async open(project: Project, connectors: ConnectorRegistry, pipeline: StreamingPipeline, session: DataPlaneSession, logger: Logger): Promise<DeadLetterQueue> {
    const destination = await openSyncDestination(project, connectors, deadLetterConnection(pipeline.settings), session);
    const tempDir = await mkdtemp(path.join(os.tmpdir(), 'sluice-dlq-'));
    return new DeadLetterQueue(project, connectors, pipeline, destination, { session, logger, signal: new AbortController().signal, tempDir });
  }

  private get table(): string {
    return this.pipeline.settings.dead_letter_table;
  }

  private get connection(): string {
    return deadLetterConnection(this.pipeline.settings);
  }

  /** The pipeline's dead letters, oldest first; at most `limit` of them when given. */
  async list(limit?: number): Promise<DeadLetterEntry[]> {
    if (!(await this.destination.describeTable({ name: this.table }))) return [];
    const { session } = this.context;
    await this.attachTable('_sluice_dead_letters');
    const rows = await session.query(
      `SELECT message_id, source, reason, payload, payload_encoding, deliveries, CAST(failed_at AS VARCHAR) AS failed_at FROM _sluice_dead_letters WHERE pipeline = $1 ORDER BY failed_at, message_id${limit === undefined ? '' : ' LIMIT $2'}`,
      limit === undefined ? [this.pipeline.name] : [this.pipeline.name, limit],
    );
    return rows.map((r) => ({
      messageId: String(r.message_id),
      source: String(r.source ?? ''),
      reason: String(r.reason ?? ''),
      payload: String(r.payload ?? ''),
      payloadEncoding: String(r.payload_encoding ?? 'utf-8'),
      deliveries: Number(r.deliveries ?? 0),
      failedAt: String(r.failed_at ?? ''),
    }));
  }

  /**
   * Publishes the selected letters again into the source's broker, one at a
   * time, and removes those the broker accepted. A publish that fails stops
   * the replay: the letters published so far are removed, the rest stay.
   */
  async replay(selection: DeadLetterSelection): Promise<ReplayResult> {
    const letters = await this.select(selection);
    const publisher = await openStreamPublisher(this.pipeline.settings.source);
    const accepted: DeadLetterEntry[] = [];
    let error: Error | undefined;
    try {
      for (const letter of letters) {
        const payload = letter.payloadEncoding === 'base64' ? Buffer.from(letter.payload, 'base64') : Buffer.from(letter.payload, 'utf8');
        try {
          await publisher.republish({ original: letter.messageId, payload, dedupeKey: `sluice-replay:${this.pipeline.name}:${letter.messageId}:${letter.failedAt}` });
        } catch (failure) {
          error = failure as Error;
          break;
        }
        accepted.push(letter);
      }
    } finally {
      await publisher.close().catch(() => undefined);
      await this.remove(accepted);
    }
    return { replayed: accepted.length, error };
  }

  /** Removes the selected letters without replaying them; returns how many. */
  async drop(selection: DeadLetterSelection): Promise<number> {
    const letters = await this.select(selection);
    await this.remove(letters);
    return letters.length;
  }

  async close(): Promise<void> {
    await this.destination.close().catch(() => undefined);
    await rm(this.context.tempDir, { recursive: true, force: true });
  }

  private async select(selection: DeadLetterSelection): Promise<DeadLetterEntry[]> {
    const all = await this.list();
    if (selection === 'all') return all;
    const found = all.filter((letter) => letter.messageId === selection.id);
    if (!found.length) throw new ConfigError('stream.dead_letter_unknown', `pipeline '${this.pipeline.name}' has no dead letter with id '${selection.id}' in ${this.connection} ${this.table} (see 'sluice stream dlq list ${this.pipeline.name}')`);
    return found;
  }

  /** Deletes the letters by key in one transaction, keeping the table's state row as it is. */
  private async remove(letters: readonly DeadLetterEntry[]): Promise<void> {
    if (!letters.length) return;
    const stager = new BatchStager(this.context);
    try {
      const deletes = await stager.stage('_sluice_dead_letter_removals', letters.map((l) => ({ pipeline: this.pipeline.name, message_id: l.messageId })), { pipeline: 'VARCHAR', message_id: 'VARCHAR' });
      const stream = deadLetterStream(this.table);
      const [stored] = await this.destination.readState(this.pipeline.name, stream);
      await this.destination.applyBatch(
        { pipeline: this.pipeline.name, stream, table: { name: this.table }, change: { kind: 'upsert', input: undefined, key: deadLetterKey, deletes }, state: stored?.state ?? { count: 0 } },
        this.context,
      );
    } finally {
      await stager.clear();
    }
  }

  /**
   * Reads the whole dead-letter table into the data plane through the
   * connection's loader, the way a pipeline block reads a table, so every
   * destination's quoting stays its own. A dead-letter table is small: it
   * holds only messages that failed.
   */
  private async attachTable(name: string): Promise<void> {
    const pool = createConnectionPool(this.project, this.connectors);
    try {
      const { connector, connection } = await pool.get(this.connection);
      if (!connection.read) throw new ConnectorError('stream.dead_letters_unreadable', `connection '${this.connection}' cannot be read from, so its dead letters cannot be listed`, { retryable: false });
      const location = path.join(this.context.tempDir, `${name}-${Date.now()}.parquet`);
      const { output } = await connection.read(
        { settings: connector.readSchema.parse({ table: this.table }), location },
        { projectRoot: this.project.root, tempDir: this.context.tempDir, session: this.context.session, logger: this.context.logger, signal: this.context.signal, block: this.table },
      );
      await this.context.session.attach(name, output);
    } finally {
      await pool.closeAll();
    }
  }
}
