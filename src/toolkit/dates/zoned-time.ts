import { ConfigError } from '../../core/errors.ts';

/** A wall-clock reading in a named time zone turned into an instant, or why it cannot be. */
export type ZonedInstant =
  | { readonly kind: 'instant'; readonly epochMs: number }
  | { readonly kind: 'skipped' }
  | { readonly kind: 'repeated'; readonly earlierMs: number; readonly laterMs: number };

export interface TimeZone {
  readonly name: string;
  /** `localMs` is the wall-clock reading written as if it were UTC. */
  toInstant(localMs: number): ZonedInstant;
  /** The wall-clock reading (as if UTC) of an instant. */
  toLocal(epochMs: number): number;
}

const quarterHour = 900_000;

/**
 * An IANA zone ("Europe/Paris"). Offsets come from Intl and are cached per
 * quarter hour, since every zone changes its offset on a quarter-hour boundary.
 * A reading that falls in the hour skipped when clocks go forward, or the hour
 * repeated when they go back, is reported as such rather than shifted.
 */
export function createTimeZone(name: string): TimeZone {
  let format: Intl.DateTimeFormat;
  try {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone: name,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
  } catch (cause) {
    throw new ConfigError('toolkit.unknown_time_zone', `"${name}" is not a time zone name; use an IANA name such as "Europe/Paris" or "UTC"`, { cause });
  }
  const offsets = new Map<number, number>();
  const offsetAt = (epochMs: number): number => {
    const key = Math.floor(epochMs / quarterHour);
    let offset = offsets.get(key);
    if (offset === undefined) {
      const at = key * quarterHour;
      const parts: Record<string, number> = {};
      for (const part of format.formatToParts(at)) if (part.type !== 'literal') parts[part.type] = Number(part.value);
      offset = Date.UTC(parts.year!, parts.month! - 1, parts.day!, parts.hour!, parts.minute!, parts.second!) - at;
      offsets.set(key, offset);
    }
    return offset;
  };
  return {
    name,
    toLocal: (epochMs) => epochMs + offsetAt(epochMs),
    toInstant(localMs) {
      // No zone changes its offset twice within two days, so the offsets a day
      // either side are the only ones this reading can have.
      const readings = [...new Set([offsetAt(localMs - 86_400_000), offsetAt(localMs + 86_400_000)])]
        .map((offset) => localMs - offset)
        .filter((epochMs) => offsetAt(epochMs) === localMs - epochMs)
        .sort((a, b) => a - b);
      if (readings.length === 0) return { kind: 'skipped' };
      if (readings.length === 1) return { kind: 'instant', epochMs: readings[0]! };
      return { kind: 'repeated', earlierMs: readings[0]!, laterMs: readings[1]! };
    },
  };
}
