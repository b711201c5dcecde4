import type { CsvEncoding } from '../../core/data-plane/data-plane.ts';

/**
 * The spellings users write for each encoding, compared without case, spaces,
 * dashes or underscores: `UTF8`, `iso_8859_1` and `Latin-1` all work.
 * Windows-1252 is what spreadsheets export as "ANSI" or "Western".
 */
export const csvEncodingSpellings = {
  'utf-8': ['utf-8', 'utf8'],
  'utf-16': ['utf-16', 'utf16'],
  'latin-1': ['latin-1', 'latin1', 'iso-8859-1', 'iso8859-1', 'l1'],
  'windows-1252': ['windows-1252', 'cp1252', 'win-1252', 'ansi'],
} as const satisfies Record<CsvEncoding, readonly string[]>;

const squash = (name: string): string => name.toLowerCase().replace(/[\s_-]/g, '');

const bySpelling = new Map<string, CsvEncoding>(
  Object.entries(csvEncodingSpellings).flatMap(([encoding, spellings]) => spellings.map((s) => [squash(s), encoding as CsvEncoding] as const)),
);

/** The encoding a user's spelling names, or undefined when it names none Sluice reads. */
export function parseCsvEncoding(name: string): CsvEncoding | undefined {
  return bySpelling.get(squash(name));
}

/** Every accepted spelling, for error messages. */
export function acceptedEncodings(): string {
  return Object.values(csvEncodingSpellings).flat().join(', ');
}
