import type { Client, ClientConfig } from 'pg';
import type { Pgoutput } from 'pg-logical-replication';
import { readLsn, type Lsn } from './postgres-lsn.ts';

/** One thing the server sent on the replication connection, in order. */
export type StreamEvent =
  | { readonly type: 'message'; readonly lsn: Lsn; readonly message: Pgoutput.Message }
  /** The server has sent everything up to `walEnd`; nothing before it is still to come. */
  | { readonly type: 'keepalive'; readonly walEnd: Lsn };

export interface ReplicationStream {
  /** The next event, or undefined once the stream is closed. */
  next(): Promise<StreamEvent | undefined>;
  /** Tells the server everything up to `lsn` is durably applied, so the slot may release that WAL. */
  confirm(lsn: Lsn): void;
  /** Asks the server for a keepalive, which reports how far it has read. */
  ping(): void;
  close(): Promise<void>;
}

interface PgConnection {
  on(event: 'copyData', listener: (message: { chunk: Buffer }) => void): void;
  sendCopyFromChunk(chunk: Buffer): void;
  stream: { pause(): void; resume(): void };
}

/** Events held before the socket is paused, so a slow destination bounds memory. */
const highWater = 20_000;
const lowWater = 2_000;

/**
 * Streams pgoutput from `slot` starting after `from`, over the replication
 * protocol. Written over pg's connection rather than a subscription service
 * so that data and keepalives reach the caller in one ordered queue and
 * nothing is confirmed to the server until the caller says so.
 */
export async function openReplicationStream(
  config: ClientConfig,
  options: { readonly slot: string; readonly publication: string; readonly from: Lsn; readonly startText: string },
): Promise<ReplicationStream> {
  const pg = await import('pg');
  const { PgoutputPlugin } = await import('pg-logical-replication');
  const plugin = new PgoutputPlugin({ protoVersion: 1, publicationNames: [options.publication] });
  const client: Client = new pg.Client({ ...config, replication: 'database' } as ClientConfig);
  const queue: StreamEvent[] = [];
  let failure: Error | undefined;
  let closed = false;
  let paused = false;
  let wake: (() => void) | undefined;
  const notify = (): void => {
    const w = wake;
    wake = undefined;
    w?.();
  };
  client.on('error', (error) => {
    failure ??= error;
    notify();
  });
  await client.connect();
  const connection = (client as unknown as { connection: PgConnection }).connection;
  let confirmed = options.from;

  const sendStatus = (reply: boolean): void => {
    if (closed) return;
    const status = Buffer.alloc(34);
    status.write('r', 0);
    status.writeBigUInt64BE(confirmed, 1); // written
    status.writeBigUInt64BE(confirmed, 9); // flushed
    status.writeBigUInt64BE(confirmed, 17); // applied
    status.writeBigUInt64BE(BigInt(Date.now() - 946_684_800_000) * 1000n, 25);
    status.writeUInt8(reply ? 1 : 0, 33);
    connection.sendCopyFromChunk(status);
  };

  connection.on('copyData', ({ chunk }) => {
    try {
      if (chunk[0] === 0x77 /* w: XLogData */) {
        // The relation's columns are decoded by type from text later; pg's own parsers would round timestamps to milliseconds.
        const message = plugin.parse(chunk.subarray(25));
        if (message.tag === 'relation') for (const column of message.columns) column.parser = (raw: unknown) => raw;
        queue.push({ type: 'message', lsn: readLsn(chunk, 1), message });
      } else if (chunk[0] === 0x6b /* k: keepalive */) {
        queue.push({ type: 'keepalive', walEnd: readLsn(chunk, 1) });
        if (chunk[17] === 1) sendStatus(false);
      }
    } catch (error) {
      failure ??= error instanceof Error ? error : new Error(String(error));
    }
    if (!paused && queue.length >= highWater) {
      paused = true;
      connection.stream.pause();
    }
    notify();
  });

  const started = new Promise<void>((resolve, reject) => {
    (connection as unknown as { once(e: string, l: () => void): void }).once('replicationStart', resolve);
    const sql = `START_REPLICATION SLOT "${options.slot}" LOGICAL ${options.startText} (proto_version '1', publication_names '${options.publication}')`;
    client.query(sql).then(
      () => {
        closed = true;
        notify();
      },
      (error: Error) => {
        if (!closed) failure ??= error;
        reject(error);
        notify();
      },
    );
  });
  try {
    await started;
  } catch (error) {
    await client.end().catch(() => undefined);
    throw error;
  }

  return {
    async next() {
      for (;;) {
        if (failure) throw failure;
        const event = queue.shift();
        if (event) {
          if (paused && queue.length <= lowWater) {
            paused = false;
            connection.stream.resume();
          }
          return event;
        }
        if (closed) return undefined;
        await new Promise<void>((resolve) => (wake = resolve));
      }
    },
    confirm(lsn) {
      if (lsn > confirmed) confirmed = lsn;
      sendStatus(false);
    },
    ping() {
      sendStatus(true);
    },
    async close() {
      if (closed) return;
      closed = true;
      notify();
      await client.end().catch(() => undefined);
    },
  };
}
