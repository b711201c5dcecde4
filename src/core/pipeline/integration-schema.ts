import { z } from 'zod';
import { cdcSettingsSchema } from './cdc-settings.ts';
import { alertsSchema } from './alert-schema.ts';
import { durationSchema } from './duration.ts';
import { blockNamePattern, pipelineNamePattern } from './pipeline-schema.ts';
import { scheduleSchema } from './schedule.ts';
import { retryPolicySchema } from '../run/retry-policy.ts';
import { streamDriftActions, streamDriftSettingsSchema } from '../quality/drift-settings.ts';

export const syncModes = ['full_refresh', 'incremental_append', 'incremental_dedupe', 'cdc'] as const;
export type SyncMode = (typeof syncModes)[number];

export const schemaContracts = ['evolve', 'freeze', 'discard_row'] as const;
export type SchemaContract = (typeof schemaContracts)[number];

const columnList = z.union([z.string().min(1), z.array(z.string().min(1)).min(1)]).transform((k) => (typeof k === 'string' ? [k] : k));

/** One stream: a source table or query copied into one destination table. */
export const streamSchema = z
  .object({
    /** The stream's name: its block in run history and its key in the state. Defaults to the table's name. */
    name: z.string().regex(blockNamePattern, 'a stream name is letters, digits and _ and starts with a letter or _').optional(),
    table: z.string().min(1).optional(),
    query: z.string().min(1).optional(),
    /** For a `file` source: the file connector's read settings (`path`, `format`, ...). */
    file: z.record(z.string(), z.unknown()).optional(),
    /** Defaults to the stream's name. */
    destination_table: z.string().min(1).optional(),
    /** Columns that identify a row; discovered from the source table when left out. */
    primary_key: columnList.optional(),
    cursor: z.string().min(1).optional(),
    mode: z.enum(syncModes),
    /** Overrides the pipeline's batch size for this stream. */
    batch_size: z.number().int().positive().optional(),
    /** Overrides the pipeline's schema contract for this stream. */
    schema_contract: z.enum(schemaContracts).optional(),
    /** Overrides the pipeline's drift settings for this stream, field by field. */
    drift: streamDriftSettingsSchema.optional(),
  })
  .strict()
  .refine((s) => [s.table, s.query, s.file].filter((v) => v !== undefined).length === 1, 'give exactly one of table, query or file')
  .refine((s) => s.mode === 'full_refresh' || s.mode === 'cdc' || s.cursor !== undefined, { message: 'an incremental stream needs a cursor: the column that grows with each new or changed row', path: ['cursor'] })
  .refine((s) => s.table !== undefined || s.name !== undefined, { message: 'a stream that reads a query or files needs a name', path: ['name'] });

export const integrationFileSchema = z
  .object({
    /** What makes the file an integration pipeline rather than a pipeline of blocks. */
    kind: z.literal('integration').optional(),
    /** The old spelling of `kind`, still read; loading it warns. */
    type: z.literal('integration').optional(),
    name: z.string().regex(pipelineNamePattern).optional(),
    description: z.string().optional(),
    schedule: scheduleSchema.optional(),
    retries: retryPolicySchema.optional(),
    timeout: durationSchema.optional(),
    alerts: alertsSchema,
    api: z.object({ enabled: z.boolean().default(true) }).strict().default({ enabled: true }),
    /** A connection name from connections.yaml. */
    source: z.string().min(1),
    /** A connection name from connections.yaml, or `warehouse`. */
    destination: z.string().min(1),
    /** Rows per committed batch; defaults by mode (see defaultBatchSize). */
    batch_size: z.number().int().positive().optional(),
    /** Settings of the streams with mode cdc (change data capture from PostgreSQL). */
    cdc: cdcSettingsSchema.default({ follow: false }),
    schema_contract: z.enum(schemaContracts).default('evolve'),
    /** What drift in a stream's values does (`warn`, `fail`, `discard_row`, `off`) and the null-rate jump it allows; a stream's own `drift:` overrides it. */
    drift: streamDriftSettingsSchema.optional(),
    streams: z.array(streamSchema).min(1, 'an integration pipeline needs at least one stream'),
  })
  .strict()
  .refine((f) => !(f.kind !== undefined && f.type !== undefined), { message: 'give kind: integration only (type: is its old spelling)', path: ['type'] });

/**
 * Rows per committed batch when the pipeline does not say. A batch of a table
 * sync pays a fixed cost (the source query, landing it in the data plane, its
 * drift fingerprint, one bulk load, the position's commit) that dominated at
 * 10,000 rows and still took a third of a 100,000-row batch; at 250,000 the
 * bulk loads do the work. Batches land on disk, so memory stays flat. A
 * change-capture batch is held as changes in memory, and stays small.
 */
export function defaultBatchSize(mode: SyncMode): number {
  return mode === 'cdc' ? 10_000 : 250_000;
}

export type IntegrationFile = z.output<typeof integrationFileSchema>;
export type StreamFile = z.output<typeof streamSchema>;

/** Everything a stream's sync needs, resolved from the pipeline file: what a sync block carries. */
export const syncStreamSpecSchema = z.object({
  stream: z.string(),
  source: z.string(),
  destination: z.string(),
  table: z.string().optional(),
  query: z.string().optional(),
  file: z.record(z.string(), z.unknown()).optional(),
  destinationTable: z.string(),
  primaryKey: z.array(z.string()).optional(),
  cursor: z.string().optional(),
  mode: z.enum(syncModes),
  batchSize: z.number().int().positive(),
  schemaContract: z.enum(schemaContracts),
  /** Resolved from the stream's and the pipeline's `drift:`; absent in a spec from before, which follows the contract. */
  drift: z.object({ on_drift: z.enum(streamDriftActions), null_rate_jump: z.number() }).optional(),
  cdc: cdcSettingsSchema.optional(),
});

export type SyncStreamSpec = z.output<typeof syncStreamSpecSchema>;

/** The stream's name: given, or the table's last name part. */
export function streamName(stream: StreamFile): string {
  if (stream.name) return stream.name;
  const last = stream.table!.split('.').pop()!.replace(/"/g, '');
  return last.replace(/[^A-Za-z0-9_]/g, '_').replace(/^(?=[0-9])/, '_');
}
