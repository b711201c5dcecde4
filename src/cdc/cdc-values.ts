/**
 * A value as it travels from the source to a destination. Integers beyond
 * 2^53 stay exact as bigint; numeric, dates, times and JSON stay as the
 * source's text so no precision is lost on the way.
 */
export type CdcValue = null | boolean | number | bigint | string;

/** PostgreSQL type OIDs whose text form becomes something other than a string. */
const decoders: Readonly<Record<number, (text: string) => CdcValue>> = {
  16: (t) => t === 't', // bool
  20: (t) => BigInt(t), // int8
  21: Number, // int2
  23: Number, // int4
  26: Number, // oid
  700: Number, // float4
  701: Number, // float8
};

/** Turns the text form of a column (pgoutput and `COPY`-free snapshot reads both hand over text) into a value. */
export function decodeValue(typeOid: number, text: string | null): CdcValue {
  if (text === null) return null;
  const decode = decoders[typeOid];
  return decode ? decode(text) : text;
}
