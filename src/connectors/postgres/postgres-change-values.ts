import type { ChangeValue } from '../../core/connectors/change-capture.ts';

/** PostgreSQL type OIDs whose text form becomes something other than a string. */
const decoders: Readonly<Record<number, (text: string) => ChangeValue>> = {
  16: (t) => t === 't', // bool
  20: (t) => BigInt(t), // int8
  21: Number, // int2
  23: Number, // int4
  26: Number, // oid
  700: Number, // float4
  701: Number, // float8
};

/** Turns the text form of a column (pgoutput and `COPY`-free snapshot reads both hand over text) into a value. */
export function decodeValue(typeOid: number, text: string | null): ChangeValue {
  if (text === null) return null;
  const decode = decoders[typeOid];
  return decode ? decode(text) : text;
}
