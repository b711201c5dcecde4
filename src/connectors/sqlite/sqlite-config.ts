import { z } from 'zod';
import { projectPathSetting } from '../shared/project-path.ts';
import { flag, requireKeyForKeyedModes, tableReadSchema, tableWriteFields } from '../shared/table-settings.ts';


/**
 * A named SQLite connection in connections.yaml: a database file.
 *
 * ```yaml
 * connections:
 *   app_db:
 *     connector: sqlite
 *     path: data/app.sqlite   # relative to the project root
 *     readonly: true
 * ```
 */
export const sqliteConnectionSchema = z
  .object({
    /** The database file, relative to the project root (or absolute). Created when missing unless `readonly`. */
    path: projectPathSetting(),
    /** Open read-only: the file must exist and writes fail. */
    readonly: flag.default(false),
    /** Seconds to wait for another writer's lock before giving up (retryable). */
    busy_timeout: z.coerce.number().min(0).max(3600).default(5),
  })
  .strict();

export type SqliteConnectionSettings = z.output<typeof sqliteConnectionSchema>;

/** A loader block: a whole table (`table` or `schema.table`) or the result of a query. */
export const sqliteReadSchema = tableReadSchema;

export type SqliteReadSettings = z.output<typeof sqliteReadSchema>;

export const sqliteWriteModes = ['replace', 'append', 'upsert', 'merge'] as const;

/** An exporter block: where and how the input lands in SQLite. */
export const sqliteWriteSchema = requireKeyForKeyedModes(
  z.object({ ...tableWriteFields, mode: z.enum(sqliteWriteModes).default('replace') }).strict(),
);

export type SqliteWriteSettings = z.output<typeof sqliteWriteSchema>;
