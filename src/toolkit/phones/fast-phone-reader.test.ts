import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { describe, it } from 'node:test';
import { type CountryCode, getCountries, getExampleNumber, parsePhoneNumberWithError } from 'libphonenumber-js/max';
import { type PhoneMetadata, createFastPhoneReader } from './fast-phone-reader.ts';

const require = createRequire(import.meta.url);
const { Metadata } = require('libphonenumber-js/core') as { Metadata: new (json: unknown) => unknown };
const examples = require('libphonenumber-js/examples.mobile.json') as Record<string, string>;
const readFast = createFastPhoneReader(new Metadata(require('libphonenumber-js/max/metadata')) as PhoneMetadata);

/** What the library itself answers for a valid number, or null. */
function libraryAnswer(text: string, region: CountryCode | undefined) {
  try {
    const number = parsePhoneNumberWithError(text, { defaultCountry: region, extract: false });
    const type = number.getType();
    if (!type || number.ext) return null;
    return { value: number.number as string, region: number.country ?? `+${number.countryCallingCode}`, type: type.toLowerCase() };
  } catch {
    return null;
  }
}

/** A small deterministic generator, so a failure can be replayed. */
function random(seed: number) {
  let state = seed;
  return () => {
    state = (state * 1_103_515_245 + 12_345) % 2_147_483_648;
    return state / 2_147_483_648;
  };
}

function variants(region: CountryCode, next: () => number): string[] {
  const example = getExampleNumber(region, examples as never);
  if (!example) return [];
  const national = example.formatNational();
  const digits = example.nationalNumber as string;
  const changed = (i: number, d: string) => digits.slice(0, i) + d + digits.slice(i + 1);
  const position = Math.floor(next() * digits.length);
  return [
    national,
    national.replace(/\D/g, ''),
    example.formatInternational(),
    example.number as string,
    `+${example.countryCallingCode} (${digits.slice(0, 3)}) ${digits.slice(3)}`,
    digits,
    changed(position, String(Math.floor(next() * 10))),
    digits.slice(0, -1),
    `${digits}${Math.floor(next() * 10)}`,
    `+${example.countryCallingCode}${changed(position, String(Math.floor(next() * 10)))}`,
    `0${digits}`,
    `${example.countryCallingCode}${digits}`,
    `${example.countryCallingCode} ${national}`,
    `${example.countryCallingCode}${digits.slice(0, -1)}`,
    Array.from({ length: 6 + Math.floor(next() * 7) }, () => Math.floor(next() * 10)).join(''),
  ];
}

describe('the fast phone reader', () => {
  it('answers exactly as libphonenumber does whenever it answers, in every region', () => {
    const next = random(20_240_310);
    const regions = getCountries();
    let answered = 0;
    let compared = 0;
    for (const region of regions) {
      for (const text of variants(region, next)) {
        for (const defaultRegion of [region, 'US' as CountryCode, 'GB' as CountryCode, undefined]) {
          const fast = readFast(text, defaultRegion);
          compared++;
          if (fast === null) continue;
          answered++;
          assert.deepEqual(fast, libraryAnswer(text, defaultRegion), `"${text}" with default region ${defaultRegion}`);
        }
      }
    }
    // The fast path must carry most of the work, or it is not worth its place.
    assert.ok(answered > compared / 4, `answered ${answered} of ${compared}`);
  });
});
