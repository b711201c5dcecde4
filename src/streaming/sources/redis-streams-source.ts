import type { Redis } from 'ioredis';
import type { StreamSourceSettings } from '../../core/pipeline/streaming-schema.ts';
import { ConnectorError } from '../../core/errors.ts';
import type { StreamMessage, StreamSource, StreamSourceOptions } from '../stream-source.ts';
import { redisStreamIdsBefore } from './redis-stream-ids.ts';

type Settings = Extract<StreamSourceSettings, { type: 'redis_streams' }>;
/** Entries are read as bytes: a payload is decoded once, by the pipeline's decoder, not first into a string here. */
type Entry = [id: Buffer, fields: Buffer[]];

/**
 * Reads a Redis stream through a consumer group. Entries stay in the group's
 * pending list until XACK, which comes after the sink commit. Entries left
 * pending longer than `claim_idle` (by a consumer that died, or handed back
 * for a retry) are taken over with XAUTOCLAIM, which counts the delivery.
 * On opening, the consumer's own pending entries (its last process's) are
 * read before any new one.
 */
export async function openRedisStreamsSource(settings: Settings, options: StreamSourceOptions): Promise<StreamSource> {
  const { Redis: RedisClient } = await import('ioredis');
  const group = settings.group ?? `sluice_${options.pipeline}`;
  const { stream: key, consumer, field } = settings;
  const description = `Redis stream ${key} (group ${group}, consumer ${consumer})`;
  const open = () => new RedisClient(settings.url, { lazyConnect: true, maxRetriesPerRequest: 2, enableOfflineQueue: false });
  // Blocking reads get their own connection, so acks never queue behind them.
  const commands: Redis = open();
  const reader: Redis = open();
  for (const client of [commands, reader]) client.on('error', () => undefined);
  try {
    await Promise.all([commands.connect(), reader.connect()]);
    await commands.xgroup('CREATE', key, group, '0', 'MKSTREAM').catch((error: Error) => {
      if (!/BUSYGROUP/.test(error.message)) throw error;
    });
  } catch (error) {
    commands.disconnect();
    reader.disconnect();
    throw new ConnectorError('stream.source_unreachable', `cannot open ${description}: ${(error as Error).message}`, { cause: error, retryable: true });
  }

  const fieldName = Buffer.from(field, 'utf8');
  const toMessage = (entry: Entry, deliveries: number): StreamMessage => {
    const id = entry[0].toString('latin1');
    const fields = entry[1];
    let at = -1;
    for (let i = 0; i < fields.length && at < 0; i += 2) if (fieldName.equals(fields[i]!)) at = i;
    const ms = Number(id.slice(0, id.indexOf('-')));
    if (at < 0) return { id, payload: new Uint8Array(), deliveries, publishedAt: ms, problem: `the entry has no field '${field}' (its fields: ${fields.filter((_, i) => i % 2 === 0).join(', ') || 'none'})` };
    return { id, payload: fields[at + 1]!, deliveries, publishedAt: ms };
  };
  const idOf = (entry: readonly [Buffer, unknown]) => entry[0].toString('latin1');

  /** How many times each entry was delivered, from the pending list of this consumer. */
  const deliveryCounts = async (live: readonly Entry[]): Promise<Map<string, number>> => {
    const counts = new Map<string, number>();
    const pending = (await commands.xpending(key, group, idOf(live[0]!), idOf(live.at(-1)!), live.length * 2, consumer)) as [string, string, number, number][];
    for (const [id, , , deliveries] of pending) counts.set(id, deliveries);
    return counts;
  };

  // Where the scan of idle pending entries resumes, and when the next full scan is due.
  let claimCursor = '0-0';
  let nextClaimAt = 0;
  const claimIdle = async (max: number): Promise<StreamMessage[]> => {
    if (Date.now() < nextClaimAt) return [];
    const [cursor, entries, deleted] = (await commands.callBuffer('XAUTOCLAIM', [key, group, consumer, settings.claim_idle, claimCursor, 'COUNT', max])) as [Buffer, (Entry | null)[], Buffer[]?];
    claimCursor = cursor.toString('latin1');
    if (claimCursor === '0-0') nextClaimAt = Date.now() + Math.min(settings.claim_idle / 4, 1000);
    // Entries trimmed from the stream while pending cannot be read any more: only their pending record is left.
    if (deleted?.length) await commands.xack(key, group, ...deleted);
    const live = entries.filter((e): e is Entry => e !== null);
    if (!live.length) return [];
    const counts = await deliveryCounts(live);
    return live.map((entry) => toMessage(entry, counts.get(idOf(entry)) ?? 2));
  };

  // This consumer's own pending entries, left by its last process (killed before their commit or ack), are read
  // first, in stream order, before anything new: they would otherwise come back only after claim_idle, behind newer
  // entries, and a windowed pipeline would find them behind its watermark although their windows never saw them.
  let historyFrom: string | undefined = '0-0';
  const readOwnPending = async (max: number): Promise<StreamMessage[]> => {
    const reply = (await reader.xreadgroupBuffer('GROUP', group, consumer, 'COUNT', max, 'STREAMS', key, historyFrom!)) as [Buffer, (Entry | [Buffer, null])[]][] | null;
    const entries = reply?.[0]?.[1] ?? [];
    if (!entries.length) {
      historyFrom = undefined;
      return [];
    }
    historyFrom = idOf(entries.at(-1)!);
    // An entry trimmed from the stream while pending comes back without fields: only its pending record is left.
    const gone = entries.filter((e) => e[1] === null).map((e) => e[0]);
    if (gone.length) await commands.xack(key, group, ...gone);
    const live = entries.filter((e): e is Entry => e[1] !== null);
    if (!live.length) return [];
    // Reading its history counts a delivery, as a claim does: the pending list has the count.
    const counts = await deliveryCounts(live);
    return live.map((entry) => toMessage(entry, counts.get(idOf(entry)) ?? 2));
  };


  return {
    description,
    async pull(max, waitMs, signal) {
      while (historyFrom !== undefined && !signal.aborted) {
        const own = await readOwnPending(max);
        if (own.length) return own;
      }
      const claimed = await claimIdle(max);
      if (claimed.length || signal.aborted) return claimed;
      const reply = (await reader.xreadgroupBuffer('GROUP', group, consumer, 'COUNT', max, 'BLOCK', Math.max(1, Math.round(waitMs)), 'STREAMS', key, '>')) as [Buffer, Entry[]][] | null;
      return (reply?.[0]?.[1] ?? []).map((entry) => toMessage(entry, 1));
    },
    async ack(messages) {
      for (let i = 0; i < messages.length; i += 1000) await commands.xack(key, group, ...messages.slice(i, i + 1000).map((m) => m.id));
    },
    async retryLater(messages, delayMs) {
      // An entry is claimed again once idle for claim_idle; setting its idle time makes that happen after delayMs.
      // JUSTID keeps the delivery count: the claim that brings it back counts the delivery.
      const idle = Math.max(0, settings.claim_idle - delayMs);
      const ids = messages.map((m) => m.id);
      for (let i = 0; i < ids.length; i += 1000) await commands.xclaim(key, group, consumer, 0, ...ids.slice(i, i + 1000), 'IDLE', idle, 'JUSTID');
    },
    async settledIds() {
      const [count, lowest] = (await commands.xpending(key, group)) as [number, string | null, string | null, unknown];
      if (count > 0 && lowest) return redisStreamIdsBefore(lowest, false);
      return redisStreamIdsBefore(await lastDeliveredId(), true);
    },
    async lag() {
      const info = await groupInfo();
      const lag = info.get('lag');
      const pending = Number(info.get('pending') ?? 0);
      return lag === null || lag === undefined ? undefined : Number(lag) + pending;
    },
    async close() {
      commands.disconnect();
      reader.disconnect();
    },
  };

  async function groupInfo(): Promise<Map<string, unknown>> {
    const groups = (await commands.xinfo('GROUPS', key)) as unknown[][];
    for (const flat of groups) {
      const info = new Map<string, unknown>();
      for (let i = 0; i < flat.length; i += 2) info.set(String(flat[i]), flat[i + 1]);
      if (info.get('name') === group) return info;
    }
    throw new ConnectorError('stream.group_missing', `${description}: the consumer group is gone`, { retryable: true });
  }

  async function lastDeliveredId(): Promise<string> {
    return String((await groupInfo()).get('last-delivered-id') ?? '0-0');
  }
}
