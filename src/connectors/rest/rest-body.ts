import type { XMLParser } from 'fast-xml-parser';
import { ConnectorError } from '../../core/errors.ts';
import { parseJsonExact } from './rest-json.ts';
import type { RestFormat } from './rest-config.ts';

export type BodyFormat = 'json' | 'xml';

/** What a page's messages need: which connection, which request. */
export interface PageLabel {
  readonly connection: string;
  /** `GET https://... (page 3)`, secrets masked. */
  readonly request: string;
}

type BodyShape = BodyFormat | 'html' | 'unknown';

const jsonType = /^(application\/json|text\/json|application\/[^;]*\+json)$/;
const xmlType = /^(application\/xml|text\/xml|application\/[^;]*\+xml)$/;

function typeShape(contentType: string): BodyShape {
  if (!contentType) return 'unknown';
  if (jsonType.test(contentType)) return 'json';
  if (xmlType.test(contentType)) return 'xml';
  if (contentType === 'text/html' || contentType === 'application/xhtml+xml') return 'html';
  return 'unknown';
}

/** What the first characters of the body look like. */
function sniff(body: string): BodyShape {
  const start = body.replace(/^\uFEFF/, '').trimStart().slice(0, 256).toLowerCase();
  if (start.startsWith('{') || start.startsWith('[')) return 'json';
  if (/^(<\?xml[^>]*\?>\s*)?(<!--[\s\S]*?-->\s*)*(<!doctype html|<html[\s>])/.test(start)) return 'html';
  if (/^<(\?xml|[a-z_][\w.:-]*[\s/>]|!--)/.test(start)) return 'xml';
  return 'unknown';
}

/**
 * Decides how to read a page from its Content-Type and its first characters,
 * both: a vendor may switch between JSON and XML (or label one as the other),
 * and a page that is neither, such as an HTML login page answered with 200, is
 * an error rather than data. An explicit `format` reads the body as that
 * format unless the body is plainly something else.
 */
export function detectFormat(contentTypeHeader: string | null, body: string, wanted: RestFormat, label: PageLabel): BodyFormat {
  const contentType = (contentTypeHeader ?? '').split(';')[0]!.trim().toLowerCase();
  const declared = typeShape(contentType);
  const seen = sniff(body);
  const unexpected = (why: string): ConnectorError =>
    new ConnectorError(
      'rest.unexpected_content',
      `connection '${label.connection}': ${label.request} answered ${contentType ? `Content-Type ${contentType}` : 'without a Content-Type'}, ${why}; no data was read from it`,
    );
  if (seen === 'html' || declared === 'html') {
    return fail(unexpected('an HTML page (a login or error page?), not JSON or XML'));
  }
  if (wanted !== 'auto') {
    if (seen !== 'unknown' && seen !== wanted) return fail(unexpected(`which looks like ${seen.toUpperCase()}, not the ${wanted.toUpperCase()} the block expects (format: ${wanted})`));
    return wanted;
  }
  if (declared === 'unknown' && contentType) return fail(unexpected('which is neither JSON nor XML'));
  // The body decides when it is plainly one format: labels are wrong more often than bodies.
  if (seen === 'json' || seen === 'xml') return seen;
  if (declared === 'json' || declared === 'xml') return declared;
  return fail(unexpected('and the body is neither JSON nor XML'));
}

function fail(error: ConnectorError): never {
  throw error;
}

/** Parses a JSON page, integers beyond 2^53 exactly; a truncated or invalid body fails naming the request. */
export function parseJson(body: string, label: PageLabel): unknown {
  try {
    return parseJsonExact(body.replace(/^\uFEFF/, ''));
  } catch (error) {
    const truncated = /end of (JSON|data)|unterminated/i.test((error as Error).message) ? ' (it looks truncated)' : '';
    throw new ConnectorError(
      'rest.invalid_json',
      `connection '${label.connection}': the response to ${label.request} is not valid JSON${truncated}: ${(error as Error).message}; ${body.length.toLocaleString('en-US')} characters received`,
      { cause: error, retryable: truncated !== '' },
    );
  }
}

type XmlParserClass = typeof XMLParser;

/**
 * Parses an XML page into the tree a JSON page would give: the root element
 * is the document, as the outermost `{}` of JSON is, so it does not count in
 * a path (`<response><items>` is `items`). Elements become keys, attributes
 * `@name`, mixed text `#text`; an element repeated under one parent is an
 * array, and so is the element `recordPath` names, even when one appears.
 * XML has no types: every value is
 * text (`12.50` stays `12.50`, never 12.5), as a JSON string would be; an
 * empty element is '' (rows make it null).
 */
export function parseXml(Parser: XmlParserClass, body: string, recordPath: string | undefined, label: PageLabel): unknown {
  const parser = new Parser({
    ignoreAttributes: false,
    attributeNamePrefix: '@',
    textNodeName: '#text',
    ignoreDeclaration: true,
    ignorePiTags: true,
    parseTagValue: false,
    parseAttributeValue: false,
    // jpath counts the root; the record path does not.
    isArray: (_name, jpath) => recordPath !== undefined && String(jpath).slice(String(jpath).indexOf('.') + 1) === recordPath && String(jpath).includes('.'),
    jPath: true,
  });
  let tree: unknown;
  try {
    tree = parser.parse(body, true);
  } catch (error) {
    throw new ConnectorError('rest.invalid_xml', `connection '${label.connection}': the response to ${label.request} is not valid XML: ${errorText(error)}`, { cause: error });
  }
  const roots = Object.entries(tree as Record<string, unknown>);
  if (roots.length !== 1) throw new ConnectorError('rest.invalid_xml', `connection '${label.connection}': the response to ${label.request} has ${roots.length} root elements, not one`);
  const [rootName, root] = roots[0]!;
  if (recordPath !== undefined && recordPath.split('.')[0] === rootName && !(root !== null && typeof root === 'object' && rootName in root)) {
    throw new ConnectorError(
      'rest.bad_record_path',
      `connection '${label.connection}': record_path '${recordPath}' starts with <${rootName}>, the root element of the response to ${label.request}; the root is the document and does not count (as the outer {} of JSON does not): write '${recordPath.split('.').slice(1).join('.') || '(leave record_path out)'}'`,
    );
  }
  // An empty root (<items/>) is a document with nothing in it.
  return root === '' ? {} : root;
}

function errorText(error: unknown): string {
  if (error instanceof Error) return error.message;
  const e = error as { err?: { msg?: string; line?: number } };
  return e?.err?.msg ? `${e.err.msg}${e.err.line ? ` (line ${e.err.line})` : ''}` : String(error);
}

/** The value at a dot path (`meta.next_cursor`), or undefined. */
export function valueAt(body: unknown, path: string): unknown {
  let current = body;
  for (const key of path.split('.')) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<string, unknown>)[key];
  }
  return current;
}

/**
 * The records of a page: the array at `recordPath`, or the body itself when
 * it is an array. An absent or empty value at the path is an empty page; a
 * first key the body does not have fails (a typo, or an error body).
 */
export function recordsAt(body: unknown, recordPath: string | undefined, format: BodyFormat, label: PageLabel): unknown[] {
  if (recordPath === undefined) {
    if (Array.isArray(body)) return body;
    const only = format === 'xml' ? singleRepeatedChild(body) : undefined;
    if (only) return only;
    throw new ConnectorError(
      'rest.no_records',
      `connection '${label.connection}': the response to ${label.request} is not a list of records; set record_path to where they are${keysHint(body)}`,
    );
  }
  const first = recordPath.split('.')[0]!;
  if (body === null || typeof body !== 'object' || Array.isArray(body) || !(first in body)) {
    throw new ConnectorError(
      'rest.bad_record_path',
      `connection '${label.connection}': record_path '${recordPath}' does not match the response to ${label.request}${keysHint(body)}`,
    );
  }
  const found = valueAt(body, recordPath);
  if (found === undefined || found === null || found === '') return [];
  if (Array.isArray(found)) {
    // One XML element at the path (<items>), read as an array: its records are its repeated child.
    if (format === 'xml' && found.length === 1 && isElementList(found[0])) return recordsOf(found[0]);
    // An empty list element (<items/>) is an empty page.
    if (format === 'xml' && found.length === 1 && found[0] === '') return [];
    return found;
  }
  throw new ConnectorError(
    'rest.bad_record_path',
    `connection '${label.connection}': record_path '${recordPath}' in the response to ${label.request} is ${typeof found === 'object' ? 'an object' : `a ${typeof found}`}, not a list of records`,
  );
}

/** `<items><item/><item/></items>`: the repeated element under the root (the document), when there is exactly one. */
function singleRepeatedChild(body: unknown): unknown[] | undefined {
  if (body === null || typeof body !== 'object') return undefined;
  const children = Object.entries(body).filter(([key]) => !key.startsWith('@'));
  return children.length === 1 && Array.isArray(children[0]![1]) ? (children[0]![1] as unknown[]) : undefined;
}

/**
 * An element that wraps a list, as `<items>` wraps `<item>`s: no text, no
 * attributes and one kind of child element. Its children are the records,
 * as the elements of a JSON array at the same path would be.
 */
function isElementList(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
  const children = Object.entries(value);
  if (children.length !== 1 || children[0]![0].startsWith('@') || children[0]![0] === '#text') return false;
  const child = children[0]![1];
  const isElement = (x: unknown): boolean => x !== null && typeof x === 'object' && !Array.isArray(x);
  return Array.isArray(child) ? child.every(isElement) : isElement(child);
}

function recordsOf(list: Record<string, unknown>): unknown[] {
  const child = Object.values(list)[0];
  return Array.isArray(child) ? child : [child];
}

function keysHint(body: unknown): string {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) return '';
  const keys = Object.keys(body).slice(0, 10);
  return keys.length ? ` (its top-level keys: ${keys.join(', ')})` : '';
}
