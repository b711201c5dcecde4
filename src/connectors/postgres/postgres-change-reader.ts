import type { Pgoutput } from 'pg-logical-replication';
import { ChangeBatchBuilder } from '../../core/connectors/change-batch-builder.ts';
import type { CapturedColumn, CapturedTable, ChangeBatch, ChangeEvent, ChangeValue } from '../../core/connectors/change-capture.ts';
import { ConnectorError } from '../../core/errors.ts';
import type { PostgresCapturedColumn } from './postgres-capture-tables.ts';
import { dataPlaneType, postgresTypeName } from './postgres-capture-types.ts';
import { decodeValue } from './postgres-change-values.ts';
import { formatLsn, parseLsn, type Lsn } from './postgres-lsn.ts';
import type { ReplicationStream } from './postgres-replication-stream.ts';

export interface ReadChangesOptions {
  /** The destination's committed position: transactions ending at or before it are already applied. */
  readonly after: Lsn;
  /** Stop once the server has sent everything up to here; undefined streams until aborted. */
  readonly until: Lsn | undefined;
  /** Source row changes per batch; a batch always ends on a transaction boundary. */
  readonly batchSize: number;
  readonly signal: AbortSignal;
}

/**
 * Turns the ordered pgoutput stream into batches of whole transactions.
 * Transactions that end at or before `after` are dropped: the destination
 * already holds them, even when the slot was not told before a crash.
 */
export async function* readChanges(stream: ReplicationStream, tables: readonly CapturedTable[], options: ReadChangesOptions): AsyncGenerator<ChangeEvent> {
  const byName = new Map(tables.map((t) => [`${t.schema}.${t.name}`, t]));
  const keys = new Map(tables.map((t) => [t.label, t.key]));
  let builder = new ChangeBatchBuilder(keys);
  let inTransaction = false;
  let lastEnd: Lsn = options.after;
  let lastTime = new Date(0);
  // The columns each table has now, and those whose columns changed since the last batch.
  const current = new Map(tables.map((t) => [t.label, t.columns as readonly CapturedColumn[]]));
  let reshaped = new Map<string, readonly CapturedColumn[]>();
  const flush = (): ChangeBatch => {
    const built = builder.build(formatLsn(lastEnd), lastTime);
    const batch = reshaped.size ? { ...built, columns: reshaped } : built;
    builder = new ChangeBatchBuilder(keys);
    reshaped = new Map();
    return batch;
  };

  for (;;) {
    if (options.signal.aborted) break;
    const event = await stream.next();
    if (!event) break;
    if (event.type === 'keepalive') {
      if (inTransaction) continue;
      if (!builder.isEmpty) yield { type: 'batch', batch: flush() };
      yield { type: 'idle', position: formatLsn(event.walEnd) };
      if (options.until !== undefined && event.walEnd >= options.until) return;
      continue;
    }
    const message = event.message;
    switch (message.tag) {
      case 'begin':
        inTransaction = true;
        break;
      case 'commit': {
        inTransaction = false;
        const end = parseLsn(message.commitEndLsn!);
        if (end <= options.after) {
          // Transactions arrive in commit order, so the builder holds only this already-applied one.
          builder = new ChangeBatchBuilder(keys);
          break;
        }
        builder.commit();
        lastEnd = end;
        // The decoder has already moved pgoutput's 2000-based microseconds to the Unix epoch.
        lastTime = new Date(Number(BigInt(message.commitTime as bigint) / 1000n));
        if (builder.changes >= options.batchSize) yield { type: 'batch', batch: flush() };
        if (options.until !== undefined && end >= options.until) {
          if (!builder.isEmpty) yield { type: 'batch', batch: flush() };
          return;
        }
        break;
      }
      case 'insert':
      case 'update':
      case 'delete':
        applyRowMessage(builder, byName, message);
        break;
      case 'truncate':
        throw new ConnectorError(
          'cdc.truncate',
          `table ${message.relations.map((r) => `${r.schema}.${r.name}`).join(', ')} was truncated at the source; CDC cannot replicate a TRUNCATE: run 'sluice cdc drop' and sync again from a fresh snapshot`,
        );
      case 'relation': {
        const table = byName.get(`${message.schema}.${message.name}`);
        const columns = table && relationColumns(current.get(table.label)!, message);
        if (table && columns) {
          current.set(table.label, columns);
          reshaped.set(table.label, columns);
        }
        break;
      }
      default:
        break;
    }
  }
}

/**
 * The table's columns as a relation message describes them, or undefined when
 * they are the ones it had. pgoutput sends one before a table's first change
 * in a stream and again after its columns changed (ALTER TABLE): the engine
 * then judges the change under the stream's schema contract. A column it knew
 * keeps its description; a new or retyped one is described from its type OID.
 */
function relationColumns(previous: readonly CapturedColumn[], relation: Pgoutput.MessageRelation): CapturedColumn[] | undefined {
  const known = new Map(previous.map((c) => [c.name, c as PostgresCapturedColumn]));
  const same = relation.columns.length === previous.length && relation.columns.every((c, i) => previous[i]!.name === c.name && known.get(c.name)!.typeOid === c.typeOid);
  if (same) return undefined;
  return relation.columns.map((c): PostgresCapturedColumn => {
    const was = known.get(c.name);
    if (was?.typeOid === c.typeOid) return was;
    const sourceType = postgresTypeName(c.typeOid, c.typeMod);
    return { name: c.name, type: dataPlaneType(sourceType), sourceType, typeOid: c.typeOid };
  });
}

function applyRowMessage(
  builder: ChangeBatchBuilder,
  tables: ReadonlyMap<string, CapturedTable>,
  message: Pgoutput.MessageInsert | Pgoutput.MessageUpdate | Pgoutput.MessageDelete,
): void {
  const table = tables.get(`${message.relation.schema}.${message.relation.name}`);
  if (!table) return;
  const decode = (raw: Record<string, unknown> | null): Record<string, ChangeValue | undefined> => {
    const row: Record<string, ChangeValue | undefined> = {};
    for (const column of message.relation.columns) {
      const value = raw?.[column.name];
      // undefined marks an unchanged TOASTed value: the destination keeps what it has.
      row[column.name] = value === undefined ? undefined : decodeValue(column.typeOid, value as string | null);
    }
    return row;
  };
  const keyOnly = (row: Record<string, ChangeValue | undefined>): Record<string, ChangeValue> =>
    Object.fromEntries(table.key.map((k) => [k, row[k] ?? null]));

  if (message.tag === 'insert') builder.upsert(table.label, decode(message.new));
  else if (message.tag === 'update') {
    // A key or old row arrives only when the key changed (or with REPLICA IDENTITY FULL): the old key's row goes away.
    const old = message.key ?? message.old;
    if (old) {
      const oldKey = keyOnly(decode(old));
      const next = decode(message.new);
      if (table.key.some((k) => oldKey[k] !== next[k] && String(oldKey[k]) !== String(next[k]))) builder.delete(table.label, oldKey);
    }
    builder.upsert(table.label, decode(message.new));
  } else builder.delete(table.label, keyOnly(decode(message.key ?? message.old)));
}
