/** A Redis stream entry id (`<ms>-<seq>`) as a pair that compares in stream order. */
export function parseRedisStreamId(id: string): readonly [bigint, bigint] {
  const match = /^(\d+)-(\d+)$/.exec(id);
  if (!match) throw new Error(`'${id}' is not a Redis stream entry id`);
  return [BigInt(match[1]!), BigInt(match[2]!)];
}

/** A test of whether an id comes before `bound` in the stream (or is it, with `inclusive`); the bound is read once. */
export function redisStreamIdsBefore(bound: string, inclusive: boolean): (id: string) => boolean {
  const [bm, bs] = parseRedisStreamId(bound);
  return (id) => {
    const [m, s] = parseRedisStreamId(id);
    return m < bm || (m === bm && (s < bs || (inclusive && s === bs)));
  };
}
