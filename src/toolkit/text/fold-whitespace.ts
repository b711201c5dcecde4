/**
 * Folds the white space of text whose odd spaces are already plain spaces.
 * Keeping line breaks, it gives what these replacements in turn give (a test
 * holds it to them), in one pass over the text:
 *
 *   \r\n? -> \n;  [ \t\f\v]+ -> ' ';  ' ?\n ?' -> \n;  \n{3,} -> \n\n;  then trim
 *
 * so runs of spaces and tabs become one space, spaces next to a line break go,
 * and no more than one blank line is left. Without line breaks every run of
 * white space becomes one space.
 */
export function foldWhitespace(text: string, keepLineBreaks: boolean): string {
  // White space other than a plain space, or two spaces together, is what the replacement changes.
  if (!keepLineBreaks) return /[^\S ]| {2}/.test(text) ? text.replace(/\s+/g, ' ').trim() : text.trim();
  if (!needsFolding(text)) return text.trim();
  let out = '';
  let space = false;
  let breaks = 0;
  // The start of the run of other characters being copied, or -1 between runs.
  let copyFrom = -1;
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    if (unit === 0x20 || unit === 0x09 || unit === 0x0c || unit === 0x0b) {
      if (copyFrom >= 0) out += text.slice(copyFrom, i);
      copyFrom = -1;
      space = true;
    } else if (unit === 0x0a || unit === 0x0d) {
      if (copyFrom >= 0) out += text.slice(copyFrom, i);
      copyFrom = -1;
      if (unit === 0x0d && text.charCodeAt(i + 1) === 0x0a) i++;
      breaks++;
      space = false;
    } else if (copyFrom < 0) {
      if (breaks > 0) out += breaks === 1 ? '\n' : '\n\n';
      else if (space) out += ' ';
      breaks = 0;
      space = false;
      copyFrom = i;
    }
  }
  // Spaces and line breaks at the end go, as trimming would take them.
  if (copyFrom >= 0) out += text.slice(copyFrom);
  return out.trim();
}

/** Whether the text has a carriage return, a tab or form feed, two spaces or line breaks side by side, or a space next to a line break. */
function needsFolding(text: string): boolean {
  return /[\r\t\f\v]| [ \n]|\n[ \n]/.test(text);
}
