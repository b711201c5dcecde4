import { isSecretKey, mask } from '../../core/project/secrets.ts';

/** The first request's URL: `path` joined to the base URL (keeping the base's own query), then `params`. */
export function buildUrl(baseUrl: string, path: string, params: Readonly<Record<string, string>>): URL {
  const url = new URL(baseUrl);
  const relative = path.replace(/^\/+/, '');
  if (relative) {
    const [pathname, query] = splitQuery(relative);
    url.pathname = `${url.pathname.replace(/\/+$/, '')}/${pathname}`;
    if (query) new URLSearchParams(query).forEach((value, key) => url.searchParams.append(key, value));
  }
  for (const [key, value] of Object.entries(params)) url.searchParams.set(key, value);
  return url;
}

function splitQuery(path: string): [string, string] {
  const at = path.indexOf('?');
  return at === -1 ? [path, ''] : [path.slice(0, at), path.slice(at + 1)];
}

/**
 * A URL as messages and logs show it: credentials in it, query values that are
 * the connection's secrets and values of parameters named like secrets
 * (`token`, `api_key`, ...) become `***`.
 */
export function describeUrl(url: URL, secrets: ReadonlySet<string>): string {
  const shown = new URL(url);
  if (shown.username) shown.username = '***';
  if (shown.password) shown.password = '***';
  for (const [key, value] of [...shown.searchParams]) {
    if (secrets.has(value) || isSecretKey(key)) shown.searchParams.set(key, '***');
  }
  return mask(shown.toString());
}

/** `GET /v2/orders`: the endpoint, for summaries. */
export function describeEndpoint(url: URL): string {
  return `GET ${url.pathname}`;
}
