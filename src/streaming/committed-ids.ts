/**
 * The ids of messages a sink has committed that the broker may still deliver
 * again. It is stored with the sink's rows, in the same transaction, and a
 * redelivered message whose id it holds is acknowledged without being written
 * twice. Ids the broker will never deliver again are pruned, so it holds
 * about the messages in flight, not the stream's history.
 *
 * Ids mostly end in a number (`1234` for JetStream, `1700000000000-7` for
 * Redis); runs of consecutive numbers under one prefix are kept as ranges, so
 * a dense stream costs a few numbers however many messages it commits. Other
 * ids (a RabbitMQ message-id, a hash) are kept one by one.
 */
export class CommittedIds {
  private readonly ranges = new Map<string, [number, number][]>();

  static fromJSON(value: unknown): CommittedIds {
    const ids = new CommittedIds();
    if (value && typeof value === 'object') {
      for (const [prefix, ranges] of Object.entries(value as Record<string, unknown>)) {
        if (Array.isArray(ranges)) ids.ranges.set(prefix, ranges.filter(isRange).map(([lo, hi]) => [lo, hi]));
      }
    }
    return ids;
  }

  has(id: string): boolean {
    const [prefix, n] = split(id);
    const ranges = this.ranges.get(prefix);
    if (!ranges) return false;
    const i = firstEndingAtOrAfter(ranges, n);
    return i < ranges.length && ranges[i]![0] <= n;
  }

  add(id: string): void {
    const [prefix, n] = split(id);
    let ranges = this.ranges.get(prefix);
    if (!ranges) this.ranges.set(prefix, (ranges = []));
    const last = ranges.at(-1);
    // Ids mostly come in order: extend the last range without searching.
    if (!last || n > last[1] + 1) return void ranges.push([n, n]);
    if (n === last[1] + 1) return void (last[1] = n);
    const i = firstEndingAtOrAfter(ranges, n - 1);
    const at = ranges[i]!;
    if (at[0] <= n && n <= at[1]) return;
    if (at[1] === n - 1) at[1] = n;
    else if (at[0] === n + 1) at[0] = n;
    else return void ranges.splice(i, 0, [n, n]);
    const next = ranges[i + 1];
    if (next && next[0] === at[1] + 1) {
      at[1] = next[1];
      ranges.splice(i + 1, 1);
    }
  }

  /**
   * Drops every id the broker will never deliver again. Each id is asked
   * alone: ids of brokers that are not positions (RabbitMQ, MQTT) sit in one
   * range without being settled together. What is kept is about the messages
   * in flight, so asking each is cheap.
   */
  prune(settled: (id: string) => boolean): void {
    for (const [prefix, ranges] of this.ranges) {
      const kept: [number, number][] = [];
      for (const [lo, hi] of ranges) {
        // The usual case for a position: the whole range is behind the broker's line.
        if (settled(join(prefix, hi)) && settled(join(prefix, lo))) {
          if (hi - lo < 2 || allSettled(prefix, lo + 1, hi - 1, settled)) continue;
        }
        let start: number | undefined;
        for (let n = lo; n <= hi; n++) {
          if (!settled(join(prefix, n))) start ??= n;
          else if (start !== undefined) {
            kept.push([start, n - 1]);
            start = undefined;
          }
        }
        if (start !== undefined) kept.push([start, hi]);
      }
      if (kept.length) this.ranges.set(prefix, kept);
      else this.ranges.delete(prefix);
    }
  }

  /** Ranges kept (the stored size), not ids. */
  get size(): number {
    let n = 0;
    for (const ranges of this.ranges.values()) n += ranges.length;
    return n;
  }

  toJSON(): Record<string, [number, number][]> {
    return Object.fromEntries([...this.ranges].map(([prefix, ranges]) => [prefix, ranges.map(([lo, hi]) => [lo, hi] as [number, number])]));
  }

  clone(): CommittedIds {
    return CommittedIds.fromJSON(this.toJSON());
  }
}

/**
 * An id as its prefix and trailing number (without leading zeros, so the two
 * make the id again: `A-007` is `A-00` and 7); an id with no trailing number
 * is all prefix, marked with a NUL, number 0.
 */
function split(id: string): [string, number] {
  // Scanned by hand, not with a regular expression: this runs for every id of every batch.
  let start = id.length;
  while (start > 0 && start > id.length - 15 && isDigit(id.charCodeAt(start - 1))) start--;
  if (start === id.length) return [`${id}\u0000`, 0];
  while (start < id.length - 1 && id.charCodeAt(start) === 48) start++;
  return [id.slice(0, start), Number(id.slice(start))];
}

function isDigit(code: number): boolean {
  return code >= 48 && code <= 57;
}

/** The id a prefix and number stand for: the inverse of split. */
function join(prefix: string, n: number): string {
  return prefix.endsWith('\u0000') ? prefix.slice(0, -1) : `${prefix}${n}`;
}

function allSettled(prefix: string, from: number, to: number, settled: (id: string) => boolean): boolean {
  for (let n = from; n <= to; n++) if (!settled(join(prefix, n))) return false;
  return true;
}

/** The index of the first range whose end is at or after n (ranges are sorted and disjoint). */
function firstEndingAtOrAfter(ranges: readonly [number, number][], n: number): number {
  let lo = 0;
  let hi = ranges.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (ranges[mid]![1] < n) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function isRange(value: unknown): value is [number, number] {
  return Array.isArray(value) && value.length === 2 && Number.isSafeInteger(value[0]) && Number.isSafeInteger(value[1]) && value[0] <= value[1];
}
