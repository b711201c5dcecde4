import { z } from 'zod';
import { alertsSchema } from '../pipeline/alert-schema.ts';
import { driftSettingsSchema } from '../quality/drift-settings.ts';
import { outputStoreSchema } from '../output-store/output-store-settings.ts';
import { durationSchema } from '../pipeline/duration.ts';
import { oidcSettingsSchema } from './oidc-settings.ts';

export const projectFileSchema = z
  .object({
    name: z.string().min(1),
    description: z.string().optional(),
    /** Where people reach this project's web UI, for links in alerts (e.g. https://sluice.example.com); an https address makes the sign-in cookies Secure. */
    base_url: z.url().optional(),
    /** Alert channels for every pipeline of the project, told besides each pipeline's own `alerts:`. */
    alerts: alertsSchema,
    /** The embedded DuckDB database that is the default destination. */
    warehouse: z.string().default('.sluice/warehouse.duckdb'),
    data_plane: z
      .object({
        // Measured: 160MB keeps a 20M-row run under 400 MB of RSS with no loss of speed against 256MB.
        memory_limit: z.string().default('160MB'),
        threads: z.number().int().positive().optional(),
        /** How many runs of each pipeline keep their stored block outputs. */
        keep_runs: z.number().int().positive().default(20),
      })
      .strict()
      .default({ memory_limit: '160MB', keep_runs: 20 }),
    /**
     * Tables by `CONNECTION.TABLE`, with the pipeline (or `PIPELINE.BLOCK`)
     * that owns each: declaring an owner says other writers are expected, and
     * silences the two-writers warning for that table.
     */
    /** Columns holding personal data in every pipeline, by name or `*` pattern (`email`, `*_phone`), matched without regard to case. */
    pii: z.object({ columns: z.array(z.string().min(1)).default([]) }).strict().default({ columns: [] }),
    tables: z.record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_-]*\..+$/, 'a table is named CONNECTION.TABLE'), z.object({ owner: z.string().min(1), description: z.string().optional() }).strict()).default({}),
    /**
     * Where every run sends OpenLineage events (START, then COMPLETE, FAIL or
     * ABORT, with the datasets its blocks read and write). `url` and `api_key`
     * may read `${ENV}`; the key goes as a bearer token.
     */
    openlineage: z
      .object({ url: z.string().min(1), namespace: z.string().min(1).optional(), api_key: z.string().min(1).optional() })
      .strict()
      .optional(),
    /**
     * Block runs one process runs at once, across all its runs, and each run's
     * limit unless its pipeline sets its own. Four keeps two cores busy while
     * blocks wait on databases and APIs, without crowding the data plane.
     */
    concurrency: z.number().int().min(1).max(256).default(4),
    /**
     * `/metrics` takes the API token; `token` (which may read `${ENV}`) is a
     * second one for scrapers, so a Prometheus server never holds the API's.
     */
    metrics: z.object({ token: z.string().min(1).optional() }).strict().optional(),
    /**
     * Signing in to the UI: a browser session ends after `idle` without a
     * request (8h by default) and `absolute` after it began (7d by default).
     * `oidc` adds a "Sign in with ..." button for an OpenID Connect provider.
     */
    auth: z
      .object({ sessions: z.object({ idle: durationSchema.optional(), absolute: durationSchema.optional() }).strict().optional(), oidc: oidcSettingsSchema.optional() })
      .strict()
      .optional(),
    /** What drift in a block's output does, for blocks without a `drift:` of their own (default `warn`). */
    drift: driftSettingsSchema.optional(),
    /** Where run history lives: SQLite in the project (default), or PostgreSQL shared by many machines. */
    metadata: z
      .discriminatedUnion('type', [
        z.object({ type: z.literal('sqlite'), path: z.string().default('.sluice/sluice.db') }).strict(),
        z.object({ type: z.literal('postgres'), url: z.string().min(1), schema: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/).default('sluice') }).strict(),
      ])
      .default({ type: 'sqlite', path: '.sluice/sluice.db' }),
    /**
     * Where block runs execute: without it, in the process that runs the run;
     * with a Redis queue, on `sluice worker` processes (PostgreSQL metadata
     * required, as it holds the truth of each block run). `url` may read `${ENV}`.
     */
    queue: z
      .object({
        type: z.literal('redis'),
        url: z.string().min(1),
        /** Key prefix in Redis, so several projects can share one server. */
        prefix: z.string().regex(/^[A-Za-z0-9_-]+$/).default('sluice'),
      })
      .strict()
      .optional(),
    /**
     * Where block outputs are kept: the project's local folder (default), or
     * an S3-compatible bucket that workers on other machines share. The
     * credentials may read `${ENV}` (the environment or `.sluice/secrets.env`)
     * and are masked wherever they would show.
     */
    outputs: outputStoreSchema.default({ store: 'local' }),
  })
  .strict();

export type ProjectFile = z.output<typeof projectFileSchema>;

/**
 * A named connection: `connector:` names the connector, the other keys are its
 * settings. `type:` is the old spelling of `connector:`, still read (loading
 * it warns).
 */
const connectionSchema = z
  .looseObject({ connector: z.string().min(1).optional(), type: z.string().min(1).optional() })
  .superRefine((spec, ctx) => {
    if (spec.connector !== undefined && spec.type !== undefined) ctx.addIssue({ code: 'custom', path: ['type'], message: 'give connector: only (type: is its old spelling)' });
    if (spec.connector === undefined && spec.type === undefined) ctx.addIssue({ code: 'custom', path: ['connector'], message: 'a connection needs connector: (postgres, mysql, sqlite, duckdb, rest, file)' });
  });

export const connectionsFileSchema = z
  .object({ connections: z.record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_-]*$/), connectionSchema).default({}) })
  .strict();
