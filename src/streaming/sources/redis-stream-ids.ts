/** A Redis stream entry id (`<ms>-<seq>`) as a pair that compares in stream order. */
export function parseRedisStreamId(id: string): readonly [bigint, bigint] {
  const match = /^(\d+)-(\d+)$/.exec(id);
  if (!match) throw new Error(`'${id}' is not a Redis stream entry id`);
  return [BigInt(match[1]!), BigInt(match[2]!)];
}

/**
 * A test of whether an id comes before `bound` in the stream (or is it, with `inclusive`); the bound is read once.
 * It runs for every id of every batch, so the id's two numbers are compared as the decimal text Redis writes
 * them in (no leading zeros: the longer is greater, else the text decides), without parsing either.
 */
export function redisStreamIdsBefore(bound: string, inclusive: boolean): (id: string) => boolean {
  const [ms, seq] = parseRedisStreamId(bound).map(String) as [string, string];
  return (id) => {
    const cut = id.indexOf('-');
    if (cut < 0) parseRedisStreamId(id);
    const order = compareDecimal(id.slice(0, cut), ms) || compareDecimal(id.slice(cut + 1), seq);
    return order < 0 || (inclusive && order === 0);
  };
}

function compareDecimal(a: string, b: string): number {
  if (a.length !== b.length) return a.length - b.length;
  return a < b ? -1 : a > b ? 1 : 0;
}
