import { z } from 'zod';
import { defineCleanTool, type CleanTools } from '../core/run/clean-block-runner.ts';
import { dateFormats, parseDates } from './dates/parse-dates.ts';
import { parsePhones } from './phones/parse-phones.ts';
import { parseCountries } from './places/parse-countries.ts';
import { parseUsStates } from './places/parse-us-states.ts';
import { parseStreetAddresses } from './places/parse-street-addresses.ts';
import { dictionaryNamePattern, loadDictionary } from './dictionary/dictionary-file.ts';
import { standardize } from './dictionary/standardize.ts';
import { cleanText } from './text/clean-text.ts';
import { limitTokens, tokenEncodings } from './text/count-tokens.ts';

const timezone = z.string().refine(isTimeZone, { message: 'not an IANA time zone (e.g. Europe/Paris)' });
const region = z.string().regex(/^[A-Z]{2}$/, 'an ISO 3166 alpha-2 region in capitals, e.g. US');

/**
 * The toolkit as tools of no-code clean blocks, by the name `tool:` gives.
 * Settings are written in snake_case, as the rest of a pipeline file is.
 */
export const cleanTools: CleanTools = {
  dates: defineCleanTool(
    z.strictObject({
      formats: z.array(z.enum(dateFormats as readonly [string, ...string[]])).min(1).optional(),
      day_first: z.boolean().optional(),
      timezone: timezone.optional(),
    }),
    (values, settings, context) =>
      parseDates(values, {
        ...(settings.formats ? { formats: settings.formats } : {}),
        ...(settings.day_first !== undefined ? { dayFirst: settings.day_first } : {}),
        ...(settings.timezone ? { timezone: settings.timezone } : {}),
        // Relative dates count from the run's logical date, so a rerun of a day cleans the same way.
        ...(context.logicalDate ? { relativeTo: context.logicalDate } : {}),
      }).values,
  ),
  phones: defineCleanTool(z.strictObject({ region: region.optional() }), (values, settings) =>
    parsePhones(values, settings.region ? { defaultRegion: settings.region } : {}).values,
  ),
  us_states: defineCleanTool(z.strictObject({ output: z.enum(['code', 'name']).optional() }), (values, settings) =>
    parseUsStates(values, settings.output ? { output: settings.output } : {}).values,
  ),
  street_addresses: defineCleanTool(z.strictObject({}), (values) => parseStreetAddresses(values).values),
  countries: defineCleanTool(z.strictObject({ output: z.enum(['alpha2', 'alpha3', 'name']).optional() }), (values, settings) =>
    parseCountries(values, settings.output ? { output: settings.output } : {}).values,
  ),
  dictionary: defineCleanTool(
    z.strictObject({
      dictionary: z.string().regex(dictionaryNamePattern, 'a dictionary name (dictionaries/NAME.yaml): letters, digits, _ and -'),
      threshold: z.number().gt(0).max(1).optional(),
    }),
    (values, settings, context) =>
      standardize(values, loadDictionary(context.projectRoot, settings.dictionary), settings.threshold !== undefined ? { threshold: settings.threshold } : {}).values,
    (settings, projectRoot) => void loadDictionary(projectRoot, settings.dictionary),
  ),
  text: defineCleanTool(
    z.strictObject({ form: z.enum(['NFC', 'NFKC']).optional(), strip_html: z.boolean().optional(), keep_line_breaks: z.boolean().optional() }),
    (values, settings) => cleanText(values, { form: settings.form, stripHtml: settings.strip_html, keepLineBreaks: settings.keep_line_breaks }).values,
  ),
  // A value outside the limits is flagged (and nulled) with its token count, so a SQL block after it can drop it.
  tokens: defineCleanTool(
    z.strictObject({ max: z.number().int().positive().optional(), min: z.number().int().min(0).optional(), encoding: z.enum(tokenEncodings).optional() }),
    (values, settings) => limitTokens(values, { max: settings.max, min: settings.min ?? 0, encoding: settings.encoding }).values,
  ),
};

function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}
