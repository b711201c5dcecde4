import { z } from 'zod';
import { flag, requireKeyForKeyedModes, tableReadSchema, tableWriteFields } from '../shared/table-settings.ts';


/**
 * A named PostgreSQL connection in connections.yaml: a `url`, or the parts.
 *
 * ```yaml
 * connections:
 *   warehouse:
 *     connector: postgres
 *     host: db.internal
 *     user: loader
 *     password: ${PG_PASSWORD}
 *     database: analytics
 *     schema: marts
 * ```
 */
export const postgresConnectionSchema = z
  .object({
    url: z.string().min(1).optional(),
    host: z.string().min(1).optional(),
    port: z.coerce.number().int().min(1).max(65535).default(5432),
    user: z.string().min(1).optional(),
    password: z.string().optional(),
    database: z.string().min(1).optional(),
    /** Where unqualified table names in loader and exporter blocks live. */
    schema: z.string().min(1).default('public'),
    ssl: flag.optional(),
    /** Seconds to wait for the server before giving up on a connection. */
    connect_timeout: z.coerce.number().positive().default(10),
    /** Seconds a statement waits for a lock (a table another session holds) before it fails, retryably; 0 leaves the server's setting. */
    lock_timeout: z.coerce.number().min(0).default(60),
    /** Seconds any one statement may run before the server stops it; 0 (the default) leaves the server's setting. */
    statement_timeout: z.coerce.number().min(0).default(0),
  })
  .strict()
  .refine((s) => (s.url === undefined) !== (s.host === undefined), 'give either url or host (with port, user, password, database)')
  .refine((s) => s.url === undefined || (s.user === undefined && s.database === undefined), {
    message: 'user and database go inside the url when url is given (password may stay apart, e.g. from ${ENV_VAR})',
  });

export type PostgresConnectionSettings = z.output<typeof postgresConnectionSchema>;

/** A loader block: a whole table (`table` or `schema.table`) or the result of a query. */
export const postgresReadSchema = tableReadSchema;

export type PostgresReadSettings = z.output<typeof postgresReadSchema>;

export const postgresWriteModes = ['replace', 'append', 'upsert', 'merge', 'partition'] as const;

/** An exporter block: where and how the input lands in PostgreSQL. */
export const postgresWriteSchema = requireKeyForKeyedModes(
  z
    .object({
      ...tableWriteFields,
      mode: z.enum(postgresWriteModes).default('replace'),
      /** COPY sessions that load at once; more than the server's cores rarely helps. */
      parallel: z.coerce.number().int().min(1).max(16).default(2),
      /**
       * How rows travel in COPY: `binary` (the default), built in this process
       * straight from the data plane's columns, which the server parses with
       * less work than text (its parse is what bounds a load); used only when
       * every column has an exact binary form for its target, else CSV. `csv`:
       * written by the data plane on its own threads while this process only
       * forwards the bytes.
       */
      copy_format: z.enum(['csv', 'binary']).default('binary'),
      /** For mode partition: the column that places a row in the run's data interval (a date or time). */
      partition_column: z.string().min(1).optional(),
    })
    .strict()
    .refine((s) => s.mode !== 'partition' || s.partition_column !== undefined, {
      message: "mode partition needs partition_column: the date or time column that places a row in the run's interval",
      path: ['partition_column'],
    }),
);

export type PostgresWriteSettings = z.output<typeof postgresWriteSchema>;
