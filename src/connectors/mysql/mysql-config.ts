import { z } from 'zod';
import { flag, requireKeyForKeyedModes, tableReadSchema, tableWriteFields } from '../shared/table-settings.ts';


/**
 * A named MySQL or MariaDB connection in connections.yaml: a `url`, or the parts.
 *
 * ```yaml
 * connections:
 *   shop:
 *     connector: mysql
 *     host: db.internal
 *     user: loader
 *     password: ${MYSQL_PASSWORD}
 *     database: shop
 * ```
 */
export const mysqlConnectionSchema = z
  .object({
    url: z.string().min(1).optional(),
    host: z.string().min(1).optional(),
    port: z.coerce.number().int().min(1).max(65535).default(3306),
    user: z.string().min(1).optional(),
    password: z.string().optional(),
    /** Where unqualified table names in loader and exporter blocks live. */
    database: z.string().min(1).optional(),
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

export type MysqlConnectionSettings = z.output<typeof mysqlConnectionSchema>;

/** A loader block: a whole table (`table` or `database.table`) or the result of a query. */
export const mysqlReadSchema = tableReadSchema;

export type MysqlReadSettings = z.output<typeof mysqlReadSchema>;

export const mysqlWriteModes = ['replace', 'append', 'upsert', 'merge'] as const;

/** An exporter block: where and how the input lands in MySQL. */
export const mysqlWriteSchema = requireKeyForKeyedModes(
  z.object({ ...tableWriteFields, mode: z.enum(mysqlWriteModes).default('replace') }).strict(),
);

export type MysqlWriteSettings = z.output<typeof mysqlWriteSchema>;
