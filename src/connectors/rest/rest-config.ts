import { z } from 'zod';
import { parseDuration } from '../../core/pipeline/duration.ts';
import { flag } from '../shared/table-settings.ts';

/** Values filled from `${ENV_VAR}` arrive as text: numbers may be written as text too. */
const count = z.coerce.number().int().min(0);

/** Milliseconds as a number (or digits), or a duration such as `30s`, `2m`. */
const timeout = z.union([z.number(), z.string()]).transform((value, ctx) => {
  const ms = typeof value === 'number' || /^\d+$/.test(value.trim()) ? Number(value) : parseDuration(value);
  if (ms === undefined || !Number.isFinite(ms) || ms <= 0) {
    ctx.addIssue({ code: 'custom', message: `'${value}' is not a timeout (milliseconds, or a duration such as 30s)` });
    return z.NEVER;
  }
  return ms;
});

const httpUrl = z
  .string()
  .min(1)
  .refine((v) => URL.canParse(v) && /^https?:$/.test(new URL(v).protocol), 'base_url must be an http:// or https:// URL');

export const restAuthSchema = z.union([
  z.object({ bearer: z.string().min(1) }).strict(),
  z.object({ basic: z.object({ user: z.string().min(1), password: z.string() }).strict() }).strict(),
  z
    .object({
      api_key: z.object({ name: z.string().min(1), value: z.string().min(1), in: z.enum(['header', 'query']).default('header') }).strict(),
    })
    .strict(),
]);

export type RestAuth = z.output<typeof restAuthSchema>;

/**
 * A named REST API in connections.yaml.
 *
 * ```yaml
 * connections:
 *   vendor_api:
 *     connector: rest
 *     base_url: https://api.example.com/v2
 *     auth: { bearer: "${VENDOR_TOKEN}" }     # or basic: { user, password }, or api_key: { name, value, in: header|query }
 *     headers: { Accept: application/json }
 *     rate_limit: 5          # requests per second, across pages
 *     timeout: 30s           # per request (a number is milliseconds)
 *     retries: 3             # on 429, 5xx and network errors
 *     allow_private: false   # true to reach loopback and private addresses
 * ```
 */
export const restConnectionSchema = z
  .object({
    base_url: httpUrl,
    auth: restAuthSchema.optional(),
    headers: z.record(z.string(), z.coerce.string()).default({}),
    rate_limit: z.coerce.number().positive().optional(),
    timeout: timeout.default(30_000),
    retries: count.max(20).default(3),
    allow_private: flag.default(false),
  })
  .strict();

export type RestConnectionSettings = z.output<typeof restConnectionSchema>;

const name = z.string().min(1);

export const restPaginationSchema = z.discriminatedUnion('type', [
  z
    .object({ type: z.literal('page'), param: name.default('page'), start: count.default(1), size_param: name.optional(), size: count.min(1).optional() })
    .strict()
    .refine((p) => (p.size_param === undefined) === (p.size === undefined), 'give size_param and size together'),
  z.object({ type: z.literal('offset'), param: name.default('offset'), limit_param: name.default('limit'), limit: count.min(1).default(100), start: count.default(0) }).strict(),
  z.object({ type: z.literal('cursor'), param: name.default('cursor'), cursor_path: name }).strict(),
  z.object({ type: z.literal('next_link'), next_path: name }).strict(),
  z.object({ type: z.literal('link_header') }).strict(),
]);

export type RestPagination = z.output<typeof restPaginationSchema>;

export const restFormats = ['auto', 'json', 'xml'] as const;
export type RestFormat = (typeof restFormats)[number];

/**
 * A loader block: one endpoint, page after page.
 *
 * ```yaml
 * settings:
 *   path: orders                      # joined to the connection's base_url
 *   params: { status: open }          # query parameters
 *   record_path: data.items           # where the records are in the body (default: the body, when it is an array)
 *   format: auto                      # or json, xml
 *   pagination: { type: cursor, param: cursor, cursor_path: meta.next_cursor }
 *   max_pages: 10000
 *   columns: { price: 'DECIMAL(12,2)' } # types that hold whether a page is JSON or XML (XML values are text)
 * ```
 */
export const restReadSchema = z
  .object({
    path: z.string().default(''),
    params: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()]).transform(String)).default({}),
    record_path: name.optional(),
    format: z.enum(restFormats).default('auto'),
    pagination: restPaginationSchema.optional(),
    max_pages: count.min(1).default(10_000),
    /** Column name -> type, e.g. `price: DECIMAL(12,2)`: read the same whichever format a page comes in. */
    columns: z.record(z.string(), z.string().min(1)).optional(),
  })
  .strict()
  .refine((s) => !/^[a-z][a-z0-9+.-]*:/i.test(s.path) && !s.path.startsWith('//'), {
    message: "path is joined to the connection's base_url: give a relative path, not a URL",
    path: ['path'],
  });

export type RestReadSettings = z.output<typeof restReadSchema>;
