/** A Redis stream entry id (`<ms>-<seq>`) as a pair that compares in stream order. */
export function parseRedisStreamId(id: string): readonly [bigint, bigint] {
  const match = /^(\d+)-(\d+)$/.exec(id);
  if (!match) throw new Error(`'${id}' is not a Redis stream entry id`);
  return [BigInt(match[1]!), BigInt(match[2]!)];
}

/** Negative, zero or positive as `a` comes before, is, or comes after `b` in the stream. */
export function compareRedisStreamIds(a: string, b: string): number {
  const [am, as] = parseRedisStreamId(a);
  const [bm, bs] = parseRedisStreamId(b);
  if (am !== bm) return am < bm ? -1 : 1;
  return as === bs ? 0 : as < bs ? -1 : 1;
}
