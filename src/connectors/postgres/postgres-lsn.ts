/**
 * A PostgreSQL WAL position (`16/B374D848`) as a bigint, so positions compare
 * and subtract exactly; text is only for display and SQL.
 */
export type Lsn = bigint;

export function parseLsn(text: string): Lsn {
  const match = /^([0-9A-Fa-f]{1,8})\/([0-9A-Fa-f]{1,8})$/.exec(text.trim());
  if (!match) throw new Error(`not a WAL position: '${text}'`);
  return (BigInt(`0x${match[1]}`) << 32n) | BigInt(`0x${match[2]}`);
}

export function formatLsn(lsn: Lsn): string {
  return `${(lsn >> 32n).toString(16).toUpperCase()}/${(lsn & 0xffffffffn).toString(16).toUpperCase()}`;
}

/** Reads an 8-byte big-endian position from a replication message. */
export function readLsn(buffer: Buffer, offset: number): Lsn {
  return buffer.readBigUInt64BE(offset);
}

/** Orders two positions in their text form, by value. */
export function compareLsn(a: string, b: string): number {
  const [x, y] = [parseLsn(a), parseLsn(b)];
  return x < y ? -1 : x > y ? 1 : 0;
}
