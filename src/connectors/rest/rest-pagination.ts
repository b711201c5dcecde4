import { assertNever, ConnectorError } from '../../core/errors.ts';
import { valueAt } from './rest-body.ts';
import type { RestPagination } from './rest-config.ts';

/** What the pager sees of a page it has read. */
export interface PageSeen {
  readonly url: URL;
  readonly headers: Headers;
  readonly body: unknown;
  /** Records on the page (0 only when asked whether an empty page points past itself). */
  readonly records: number;
}

/** Decides each request's URL: the first from the settings, the next from the page before. */
export interface Pager {
  first(): URL;
  /** The next page's URL, or undefined when the last page has been read. */
  next(page: PageSeen): URL | undefined;
  /** The next page comes from the response (cursor, link), so an empty page can still point past itself. */
  readonly followsResponse: boolean;
}

/** A pager for a pagination setting (none: a single request). `describe` masks URLs for messages. */
export function createPager(start: URL, pagination: RestPagination | undefined, describe: (url: URL) => string): Pager {
  if (!pagination) return { first: () => start, next: () => undefined, followsResponse: false };
  const withParam = (params: Readonly<Record<string, string>>): URL => {
    const url = new URL(start);
    for (const [key, value] of Object.entries(params)) url.searchParams.set(key, value);
    return url;
  };
  switch (pagination.type) {
    case 'page': {
      const size = pagination.size_param ? { [pagination.size_param]: String(pagination.size) } : {};
      let page = pagination.start;
      return {
        first: () => withParam({ [pagination.param]: String(page), ...size }),
        next: () => withParam({ [pagination.param]: String(++page), ...size }),
        followsResponse: false,
      };
    }
    case 'offset': {
      let offset = pagination.start;
      const limit = { [pagination.limit_param]: String(pagination.limit) };
      return {
        first: () => withParam({ [pagination.param]: String(offset), ...limit }),
        // By what the page held, not the limit asked for: servers may cap a page below it.
        next: ({ records }) => withParam({ [pagination.param]: String((offset += records)), ...limit }),
        followsResponse: false,
      };
    }
    case 'cursor': {
      const seen = new Set<string>();
      return {
        first: () => start,
        followsResponse: true,
        next: ({ body, url }) => {
          const cursor = scalar(valueAt(body, pagination.cursor_path));
          if (cursor === undefined) return undefined;
          if (seen.has(cursor)) throw loop(`cursor_path '${pagination.cursor_path}' gave the same cursor twice`, url, describe);
          seen.add(cursor);
          return withParam({ [pagination.param]: cursor });
        },
      };
    }
    case 'next_link':
      return {
        first: () => start,
        followsResponse: true,
        next: ({ body, url }) => follow(scalar(valueAt(body, pagination.next_path)), url, describe),
      };
    case 'link_header':
      return {
        first: () => start,
        followsResponse: true,
        next: ({ headers, url }) => follow(nextFromLinkHeader(headers.get('link')), url, describe),
      };
    default:
      return assertNever(pagination);
  }
}

function follow(link: string | undefined, current: URL, describe: (url: URL) => string): URL | undefined {
  if (link === undefined) return undefined;
  if (!URL.canParse(link, current.href)) throw new ConnectorError('rest.bad_next_link', `the next-page link after ${describe(current)} is not a URL`);
  const next = new URL(link, current);
  if (!/^https?:$/.test(next.protocol)) throw new ConnectorError('rest.bad_next_link', `the next-page link after ${describe(current)} is a ${next.protocol} URL`);
  if (next.href === current.href) throw loop('the next-page link points to the page itself', current, describe);
  return next;
}

function loop(why: string, url: URL, describe: (url: URL) => string): ConnectorError {
  return new ConnectorError('rest.pagination_loop', `pagination does not advance after ${describe(url)}: ${why}`);
}

/** A cursor or link as text; absent, null, empty and false all mean "no more pages". */
function scalar(value: unknown): string | undefined {
  if (value === undefined || value === null || value === '' || value === false) return undefined;
  if (typeof value === 'object') return undefined;
  return String(value);
}

/** The target of `rel="next"` in an RFC 8288 Link header, if any. */
export function nextFromLinkHeader(header: string | null): string | undefined {
  if (!header) return undefined;
  for (const match of header.matchAll(/<([^>]*)>((?:\s*;\s*[^;,]+(?:=(?:"[^"]*"|[^;,]*))?)*)/g)) {
    const params = match[2] ?? '';
    for (const param of params.matchAll(/;\s*rel\s*=\s*(?:"([^"]*)"|([^;,\s]+))/gi)) {
      const rels = (param[1] ?? param[2] ?? '').toLowerCase().split(/\s+/);
      if (rels.includes('next')) return match[1];
    }
  }
  return undefined;
}
