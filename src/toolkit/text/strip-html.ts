/** Elements whose content is never text a reader sees. */
const hidden = /<(script|style|template|noscript|head)\b[^>]*>[\s\S]*?<\/\1\s*>/gi;
const comments = /<!--[\s\S]*?-->/g;
/** Tags that end a line of text as a reader sees it. */
const breaking = /<\/?(p|div|br|li|ul|ol|tr|table|h[1-6]|blockquote|pre|section|article|header|footer|hr)\b[^>]*>/gi;
const tags = /<\/?[a-zA-Z][^>]*>|<!doctype[^>]*>/gi;
const entities = /&(#x[0-9a-f]+|#\d+|[a-z]+\d?);/gi;

const named: Readonly<Record<string, string>> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: '\u00A0', ndash: '–', mdash: '—', hellip: '…', lsquo: '‘', rsquo: '’', ldquo: '“', rdquo: '”', copy: '©', reg: '®', trade: '™', euro: '€', pound: '£', yen: '¥', cent: '¢', deg: '°', middot: '·', bull: '•', laquo: '«', raquo: '»', times: '×', divide: '÷', shy: '\u00AD' };

/**
 * The text of an HTML fragment: tags, comments, scripts and styles removed,
 * line-breaking tags turned into line breaks, entities decoded (named ones
 * common in text, and every numeric one). Not a parser: it reads tags the way
 * text pasted from web pages writes them.
 */
export function stripHtml(html: string): string {
  // Each pass runs only when its mark is in the text: most values have a few tags and no entity, or the reverse.
  let text = html;
  if (text.includes('<')) {
    text = text.replace(hidden, ' ');
    if (text.includes('<!--')) text = text.replace(comments, ' ');
    text = text.replace(breaking, '\n').replace(tags, '');
  }
  return text.includes('&') ? text.replace(entities, (entity: string, body: string) => decodeEntity(body) ?? entity) : text;
}

function decodeEntity(body: string): string | undefined {
  if (body[0] === '#') {
    const code = body[1] === 'x' || body[1] === 'X' ? parseInt(body.slice(2), 16) : parseInt(body.slice(1), 10);
    return code > 0 && code <= 0x10ffff && !(code >= 0xd800 && code <= 0xdfff) ? String.fromCodePoint(code) : undefined;
  }
  return named[body.toLowerCase()];
}
