import { countFlags, flagged, inputText, type CleanedValue, type FlagCounts } from '../cleaned-value.ts';
import { foldWhitespace } from './fold-whitespace.ts';
import { stripHtml } from './strip-html.ts';

export interface CleanTextOptions {
  /** Unicode normal form: `NFC` (default) composes accents; `NFKC` also folds compatibility forms (ﬁ -> fi, full-width letters, ² -> 2). */
  readonly form?: 'NFC' | 'NFKC' | undefined;
  /** Remove HTML tags, comments, scripts and styles, and decode entities; block tags become line breaks. */
  readonly stripHtml?: boolean | undefined;
  /** Keep line breaks (default): runs of spaces fold within lines and more than one blank line folds to one. `false` folds all whitespace to single spaces. */
  readonly keepLineBreaks?: boolean | undefined;
}

/** What changed across a column. */
export interface CleanTextReport extends FlagCounts {
  /** Values that came out different from how they went in. */
  readonly changed: number;
  readonly controlCharactersRemoved: number;
  readonly htmlStripped: number;
}

export interface CleanedTexts {
  readonly values: CleanedValue[];
  readonly report: CleanTextReport;
}

// C0 and C1 controls other than tab, line feed and carriage return; zero-width spaces, word joiner, BOM; bidi overrides.
// eslint-disable-next-line no-control-regex
const controls = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F\u200B\u2060\uFEFF\u202A-\u202E\u2066-\u2069]/g;
// Spaces of every width (no-break, en, em, thin, ideographic...) read as a plain space.
const oddSpaces = /[\u00A0\u1680\u2000-\u200A\u202F\u205F\u3000]/g;
// The same classes, without the global flag, to test for them without moving a match position.
// eslint-disable-next-line no-control-regex
const hasControls = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F\u200B\u2060\uFEFF\u202A-\u202E\u2066-\u2069]/;
const hasOddSpaces = /[\u00A0\u1680\u2000-\u200A\u202F\u205F\u3000]/;
const plainText = /^[\x20-\x7E]*$/;
// Every ASCII character is its own NFC and NFKC form.
// eslint-disable-next-line no-control-regex
const asciiText = /^[\x00-\x7F]*$/;
const markup = /[<&]/;

/**
 * Cleans text for model training or prompts: one Unicode normal form, no
 * control or zero-width characters, plain spaces, tidy line breaks and,
 * optionally, no HTML. Each value that changed carries a `reason` saying what was
 * done; a value with nothing left is flagged `invalid`, naming what it held.
 *
 * ```ts
 * cleanText(['<p>Caf\u0065\u0301&nbsp;au lait</p>'], { stripHtml: true }).values[0];
 * // { value: 'Café au lait', reason: 'stripped HTML; normalised to NFC' }
 * ```
 */
export function cleanText(values: readonly unknown[], options: CleanTextOptions = {}): CleanedTexts {
  const form = options.form ?? 'NFC';
  const keepLineBreaks = options.keepLineBreaks ?? true;
  let changed = 0;
  let controlCharactersRemoved = 0;
  let htmlStripped = 0;
  const results = values.map((input): CleanedValue => {
    const text = inputText(input);
    if (text === null) return { value: null };
    // Printable ASCII on one line with single spaces needs nothing done: most values of most columns.
    const hasMarkup = markup.test(text);
    if (plainText.test(text) && !text.includes('  ') && !(options.stripHtml && hasMarkup)) return { value: text };
    const done: string[] = [];
    let result = text;
    if (options.stripHtml && hasMarkup) {
      const stripped = stripHtml(result);
      if (stripped !== result) {
        done.push('stripped HTML');
        htmlStripped++;
        result = stripped;
      }
    }
    const normal = asciiText.test(result) ? result : result.normalize(form);
    if (normal !== result) done.push(`normalised to ${form}`);
    result = normal;
    const removed = hasControls.test(result) ? result.match(controls)!.length : 0;
    if (removed > 0) {
      done.push(`removed ${removed} control or zero-width character${removed === 1 ? '' : 's'}`);
      controlCharactersRemoved += removed;
      result = result.replace(controls, '');
    }
    const spaced = foldWhitespace(hasOddSpaces.test(result) ? result.replace(oddSpaces, ' ') : result, keepLineBreaks);
    if (spaced !== result) done.push('folded whitespace');
    result = spaced;
    if (result === '') return flagged('invalid', `${JSON.stringify(truncate(text))} has no text left once ${done.join(', ') || 'cleaned'}`);
    if (result === text) return { value: text };
    changed++;
    return { value: result, reason: done.join('; ') };
  });
  return { values: results, report: { ...countFlags(results), changed, controlCharactersRemoved, htmlStripped } };
}

function truncate(text: string): string {
  return text.length > 40 ? `${text.slice(0, 40)}…` : text;
}
