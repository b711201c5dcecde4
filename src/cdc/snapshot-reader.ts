import type { Client, ClientConfig } from 'pg';
import { quoteLiteral } from '../core/sql/quote.ts';
import type { Row } from './change-batch.ts';
import type { CdcTarget } from './cdc-position.ts';
import { decodeValue } from './cdc-values.ts';

export interface SnapshotReader {
  /** The target's source rows as of the slot's snapshot, in chunks. */
  rows(target: CdcTarget): AsyncIterable<readonly Row[]>;
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
    async *rows(target) {
      const cursor = `sluice_snapshot_${++cursors}`;
      const columns = target.source.columns;
      await client.query(`DECLARE ${cursor} NO SCROLL CURSOR FOR SELECT ${columns.map((c) => `"${c.name.replaceAll('"', '""')}"`).join(', ')} FROM ${target.source.sql}`);
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
