import type { ApiErrorBody, ApiRoutes } from '@sluice/api';

/** A failed API call, carrying the server's error code and message. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly body?: ApiErrorBody,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

/** Listeners told when the server says the browser is no longer signed in. */
const signedOut = new Set<() => void>();
export function onSignedOut(listener: () => void): () => void {
  signedOut.add(listener);
  return () => signedOut.delete(listener);
}

/** A route of the server's table (src/server/api-routes.ts): `'GET /api/runs/:id'`. */
export type RouteKey = keyof ApiRoutes;
/** What a route answers. */
export type Answer<K extends RouteKey> = ApiRoutes[K]['response'];
/** The routes that answer JSON; the others (files, event streams, redirects) are opened by their `link`. */
export type JsonRoute = { [K in RouteKey]: [Answer<K>] extends [never] ? never : K }[RouteKey];
export type LinkRoute = Exclude<RouteKey, JsonRoute>;
/** The JSON routes a page reads: what `useApi` and `prefetch` take. */
export type ReadRoute = Extract<JsonRoute, `GET ${string}`>;

type PathOf<K> = K extends `${string} ${infer P}` ? P : never;
type ParamNames<P> = P extends `${string}:${infer Name}/${infer Rest}` ? Name | ParamNames<Rest> : P extends `${string}:${infer Name}` ? Name : never;
type QueryOf<K extends RouteKey> = ApiRoutes[K] extends { query: infer Q } ? Q : never;
type BodyOf<K extends RouteKey> = ApiRoutes[K] extends { body: infer B } ? Frozen<B> : never;
/** A body as the page may hold it: what the server's schema takes, its lists and records read-only (a page never needs to change what it sends). */
type Frozen<T> = T extends readonly (infer E)[] ? readonly Frozen<E>[] : T extends object ? { readonly [P in keyof T]: Frozen<T[P]> } : T;

/**
 * What a call to route `K` fills in: each `:param` of its path by name, its
 * query and its JSON body, each only when the route takes it. A body whose
 * fields are all optional may be left out.
 */
export type RouteRequest<K extends RouteKey> = ([ParamNames<PathOf<K>>] extends [never] ? { readonly params?: never } : { readonly params: { readonly [N in ParamNames<PathOf<K>>]: string | number } }) &
  ([QueryOf<K>] extends [never] ? { readonly query?: never } : { readonly query?: QueryOf<K> }) &
  ([BodyOf<K>] extends [never] ? { readonly body?: never } : object extends BodyOf<K> ? { readonly body?: BodyOf<K> } : { readonly body: BodyOf<K> }) & { readonly signal?: AbortSignal };

/** The request argument, optional when the route needs nothing filled in. */
type RequestArgs<K extends RouteKey> = object extends RouteRequest<K> ? [request?: RouteRequest<K>] : [request: RouteRequest<K>];

/** A GET of a JSON route with everything filled in, ready for `useApi` or `prefetch`; `url` identifies it. */
export interface Endpoint<T> {
  readonly url: string;
  /** Never set: carries the answer's type from `endpoint` to `useApi`. */
  readonly answer?: T;
}

/** Any route's request, as the functions below read it once its key has typed it. */
interface FilledRequest {
  readonly params?: object;
  readonly query?: object;
  readonly body?: unknown;
  readonly signal?: AbortSignal;
}

/** The URL of route `key` with its parameters and query filled in. */
function routeUrl(key: RouteKey, request: FilledRequest | undefined): string {
  const pattern = key.slice(key.indexOf(' ') + 1);
  const params = (request?.params ?? {}) as Record<string, string | number>;
  const path = pattern.replace(/:([A-Za-z_]+)/g, (_, name: string) => {
    const value = params[name];
    if (value === undefined) throw new Error(`${key} needs its ${name}`);
    return encodeURIComponent(String(value));
  });
  return `${path}${query((request?.query ?? {}) as Record<string, QueryValue>)}`;
}

/**
 * Calls a JSON route of the API: `call('POST /api/runs/:id/retry', { params: { id }, body: {} })`.
 * The session cookie rides along on its own (same origin); no token is ever kept by the page.
 */
export function call<K extends JsonRoute>(key: K, ...[request]: RequestArgs<K>): Promise<Answer<K>> {
  const given = request as FilledRequest | undefined;
  return send(key.slice(0, key.indexOf(' ')), routeUrl(key, given), given?.body, given?.signal) as Promise<Answer<K>>;
}

/** A GET of a JSON route for `useApi` or `prefetch`: `endpoint('GET /api/runs/:id', { params: { id } })`. */
export function endpoint<K extends ReadRoute>(key: K, ...[request]: RequestArgs<K>): Endpoint<Answer<K>> {
  return { url: routeUrl(key, request as FilledRequest | undefined) };
}

/** Reads an endpoint's answer. */
export function read<T>(target: Endpoint<T>, signal?: AbortSignal): Promise<T> {
  return send('GET', target.url, undefined, signal) as Promise<T>;
}

/**
 * The URL of a route the browser opens itself rather than reading it as JSON:
 * a download (`<a href download>`), a server-sent event stream
 * (`EventSource`), a redirect to the sign-in provider.
 */
export function link<K extends LinkRoute>(key: K, ...[request]: RequestArgs<K>): string {
  return routeUrl(key, request as FilledRequest | undefined);
}

async function send(method: string, url: string, body: unknown, signal: AbortSignal | undefined): Promise<unknown> {
  const init: RequestInit = { method, credentials: 'same-origin', headers: { accept: 'application/json' } };
  if (signal) init.signal = signal;
  if (body !== undefined) {
    init.body = JSON.stringify(body);
    init.headers = { ...init.headers, 'content-type': 'application/json' };
  }
  const response = await fetch(url, init);
  const text = await response.text();
  const parsed: unknown = text ? safeJson(text) : undefined;
  if (!response.ok) {
    const error = (parsed as { error?: ApiErrorBody } | undefined)?.error;
    if (response.status === 401 && !url.startsWith('/api/session')) for (const listener of signedOut) listener();
    throw new ApiError(response.status, error?.code ?? `http.${response.status}`, error?.message ?? `${method} ${url} answered ${response.status}`, error);
  }
  return parsed;
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return { error: { code: 'api.not_json', message: text.slice(0, 200) } };
  }
}

type QueryValue = string | number | boolean | undefined | null;

/** Builds a query string from the values that are set. */
export function query(params: Readonly<Record<string, QueryValue>>): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) if (value !== undefined && value !== null && value !== '') search.set(key, String(value));
  const text = search.toString();
  return text ? `?${text}` : '';
}

export const enc = encodeURIComponent;
