import type { Client, ClientConfig } from 'pg';
import type { ChangeRow } from '../../core/connectors/change-capture.ts';
import { quoteLiteral } from '../../core/sql/quote.ts';
import type { PostgresCapturedTable } from './postgres-capture-tables.ts';
import { decodeValue } from './postgres-change-values.ts';

export interface SnapshotReader {
  /** The table's rows as of the slot's snapshot, in chunks. */
  rows(table: PostgresCapturedTable): AsyncIterable<readonly ChangeRow[]>;
  close(): Promise<void>;
}

const fetchSize = 5000;
const asText = { getTypeParser: () => (value: string) => value };

/**
 * Reads the streamed tables inside a transaction that imported the slot's
 * snapshot, so it sees the source exactly as of the slot's first position.
 * Rows arrive as text and decode like streamed changes do.
 */
export async function openSnapshotReader(config: ClientConfig, snapshotName: string): Promise<SnapshotReader> {
  const pg = await import('pg');
  const client: Client = new pg.Client({ ...config, application_name: 'sluice-cdc-snapshot' });
  client.on('error', () => undefined);
  await client.connect();
  await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
  await client.query(`SET TRANSACTION SNAPSHOT ${quoteLiteral(snapshotName)}`);
  let cursors = 0;
  return {
    async *rows(table) {
      const cursor = `sluice_snapshot_${++cursors}`;
      const columns = table.columns;
      await client.query(`DECLARE ${cursor} NO SCROLL CURSOR FOR SELECT ${columns.map((c) => `"${c.name.replaceAll('"', '""')}"`).join(', ')} FROM ${table.sql}`);
      for (;;) {
        const result = await client.query<Record<string, string | null>>({ text: `FETCH ${fetchSize} FROM ${cursor}`, types: asText });
        if (result.rows.length === 0) break;
        yield result.rows.map((raw) => {
          const row: Record<string, ReturnType<typeof decodeValue>> = {};
          for (const c of columns) row[c.name] = decodeValue(c.typeOid, raw[c.name] ?? null);
          return row;
        });
        if (result.rows.length < fetchSize) break;
      }
      await client.query(`CLOSE ${cursor}`);
    },
    async close() {
      await client.query('COMMIT').catch(() => undefined);
      await client.end().catch(() => undefined);
    },
  };
}
