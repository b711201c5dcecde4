import { parseCountries } from '../places/parse-countries.ts';
import { parseUsStates } from '../places/parse-us-states.ts';

/** What sample values look like, beyond their type. */
export type ValueFormat =
  | 'email' | 'url' | 'phone' | 'date' | 'timestamp' | 'epoch' | 'boolean' | 'currency_code' | 'country' | 'us_state'
  | 'postal_code' | 'money' | 'integer' | 'decimal' | 'prefixed_id' | 'national_id' | 'html' | 'timezone';

/** Formats that say what a value is; `integer` and `decimal` only say how it is written. */
export const telling: ReadonlySet<ValueFormat> = new Set<ValueFormat>([
  'email', 'url', 'phone', 'date', 'timestamp', 'epoch', 'boolean', 'currency_code', 'country', 'us_state', 'postal_code',
  'money', 'prefixed_id', 'national_id', 'html', 'timezone',
]);

export const formatNames: Readonly<Record<ValueFormat, string>> = {
  email: 'email addresses', url: 'web addresses', phone: 'phone numbers', date: 'dates', timestamp: 'date-times',
  epoch: 'epoch seconds', boolean: 'true/false values', currency_code: 'ISO currency codes', country: 'countries',
  us_state: 'US states', postal_code: 'postal codes', money: 'amounts with two decimals', integer: 'whole numbers',
  decimal: 'decimal numbers', prefixed_id: 'prefixed ids (cus_…)', national_id: 'national id numbers', html: 'HTML', timezone: 'time zones',
};

const currencies = new Set(Intl.supportedValuesOf('currency'));
const shapes: readonly (readonly [ValueFormat, RegExp])[] = [
  ['email', /^[^@\s]+@[^@\s]+\.[a-z]{2,}$/i],
  ['url', /^(?:https?:\/\/|www\.)\S+$|^[a-z0-9-]+(?:\.[a-z0-9-]+)*\.[a-z]{2,}(?:\/\S*)?$/i],
  ['timestamp', /^\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?: ?(?:Z|[+-]\d{2}(?::?\d{2})?))?$/],
  ['date', /^(?:\d{4}-\d{2}-\d{2}|\d{1,2}[/.-]\d{1,2}[/.-]\d{2,4}|\d{4}\/\d{2}\/\d{2})$/],
  ['national_id', /^\d{3}-\d{2}-\d{4}$/],
  ['postal_code', /^(?:\d{5}(?:-\d{4})?|[A-Z]{1,2}\d[A-Z\d]? ?\d[A-Z]{2}|[A-Z]\d[A-Z] ?\d[A-Z]\d)$/i],
  ['phone', /^(?=(?:\D*\d){7,15}\D*$)\+?[\d\s().-]{7,}(?:\s*(?:x|ext\.?)\s*\d{1,6})?$/i],
  ['boolean', /^(?:true|false|yes|no|t|f|y|n)$/i],
  ['money', /^-?\d{1,15}\.\d{2}$/],
  ['integer', /^-?\d{1,18}$/],
  ['decimal', /^-?\d*\.\d+$/],
  ['prefixed_id', /^[a-z]{2,5}_[A-Za-z0-9]{8,}$/],
  ['html', /<[a-z][a-z0-9]*[\s>]/i],
  ['timezone', /^(?:Africa|America|Antarctica|Asia|Atlantic|Australia|Europe|Indian|Pacific|Etc)\/[A-Za-z_]+(?:\/[A-Za-z_]+)?$|^UTC$/],
];

/**
 * The formats at least three quarters of a column's non-empty samples share:
 * `['alice@x.io', 'bob@y.com']` -> email. Countries and US states are read
 * with the toolkit's own place readers, so `Deutschland` and `DE` are both
 * countries. Empty samples give no formats.
 */
export function valueFormats(values: readonly string[]): Set<ValueFormat> {
  const present = values.map((v) => v.trim()).filter((v) => v !== '');
  const found = new Set<ValueFormat>();
  if (!present.length) return found;
  const enough = (count: number) => count >= Math.max(1, Math.ceil(present.length * 0.75));
  for (const [format, shape] of shapes) if (enough(present.filter((v) => shape.test(v)).length)) found.add(format);
  if (enough(present.filter(isEpochSeconds).length)) found.add('epoch');
  if (enough(present.filter((v) => /^[A-Za-z]{3}$/.test(v) && currencies.has(v.toUpperCase())).length)) found.add('currency_code');
  const lettered = present.filter((v) => /[a-z]/i.test(v) && !/\d/.test(v));
  if (enough(parseCountries(lettered).values.filter((r) => r.value !== null && !r.flag && !r.reason).length)) found.add('country');
  if (enough(parseUsStates(lettered).values.filter((r) => r.value !== null && !r.flag && !r.reason).length)) found.add('us_state');
  // Numbers, amounts, dates and national ids in a phone's clothes (`5123456789`, `72000.00`, `2024-03-01`, `123-45-6789`) are not phones.
  if ((['integer', 'money', 'decimal', 'date', 'timestamp', 'national_id'] as const).some((f) => found.has(f))) found.delete('phone');
  return found;
}

/** Seconds since 1970 between the years 2000 and 2100: a `created` column of an API. */
function isEpochSeconds(value: string): boolean {
  if (!/^\d{9,10}$/.test(value)) return false;
  const n = Number(value);
  return n >= 946_684_800 && n < 4_102_444_800;
}
