import { z } from 'zod';
import { retryPolicySchema } from '../run/retry-policy.ts';
import { durationSchema } from './duration.ts';
import { scheduleSchema } from './schedule.ts';
import { alertsSchema } from './alert-schema.ts';
import { fileTriggerSchema } from './file-trigger.ts';
import { checksFileSchema } from '../quality/check-spec.ts';
import { anomalySettingsSchema, metricColumnsSchema } from '../quality/anomaly-settings.ts';
import { driftSettingsSchema } from '../quality/drift-settings.ts';

/** Block names become table names in SQL blocks, so they are plain identifiers. */
export const blockNamePattern = /^[A-Za-z_][A-Za-z0-9_]*$/;
export const pipelineNamePattern = /^[A-Za-z0-9_][A-Za-z0-9_.-]*$/;
/** The rule behind pipelineNamePattern, in words, for the messages that refuse a name. */
export const pipelineNameRule = 'use letters, digits, _, . and - (no spaces), starting with a letter, digit or _';

export const blockRoles = ['loader', 'transformer', 'exporter', 'test', 'sensor'] as const;
export type BlockRole = (typeof blockRoles)[number];

const variableValue = z.union([z.string(), z.number(), z.boolean()]);

export const blockFileSchema = z
  .object({
    name: z.string().regex(blockNamePattern, 'a block name is letters, digits and _ and starts with a letter or _'),
    role: z.enum(blockRoles).optional(),
    /** The old spelling of `role`, still read; loading it warns (see deprecatedKeys). */
    type: z.enum(blockRoles).optional(),
    description: z.string().optional(),
    file: z.string().min(1).optional(),
    connector: z.string().min(1).optional(),
    connection: z.string().min(1).optional(),
    upstream: z.array(z.string()).default([]),
    settings: z.record(z.string(), z.unknown()).default({}),
    /** A no-code clean block: each column of its one upstream to a toolkit tool and that tool's settings. */
    clean: z.record(z.string().min(1), z.object({ tool: z.string().min(1) }).loose()).optional(),
    /** A no-code prepare block: its one upstream split into train and test, features scaled and encoded (see docs/toolkit.md). */
    prepare: z.record(z.string(), z.unknown()).optional(),
    /** A no-code block of training examples for a language model: shaped, near duplicates dropped, split into train and validation (see docs/toolkit.md). */
    examples: z.record(z.string(), z.unknown()).optional(),
    /** A no-code duplicate-matching block: compared columns, blocking keys and thresholds (checked by the toolkit). */
    dedupe: z.record(z.string(), z.unknown()).optional(),
    /** A sensor that waits until a streaming pipeline's broker lag is below `below` (see docs/streaming.md). */
    stream_lag: z
      .object({
        pipeline: z.string().regex(pipelineNamePattern, pipelineNameRule),
        below: z.number().int().min(1),
        /** A metrics sample older than this is not taken as the stream's lag now (default 1m). */
        max_age: durationSchema.default(60_000),
      })
      .strict()
      .optional(),
    /** Overrides the pipeline's retry policy for this block. */
    retries: retryPolicySchema.optional(),
    /** The block fails (retryably) when it runs longer than this. */
    timeout: durationSchema.optional(),
    /** For a sensor: how long to wait between checks of its condition (default 30s). */
    poke_interval: durationSchema.optional(),
    /** For lineage: what the block reads outside its upstream blocks, as `CONNECTION.TABLE` or a file path. */
    reads: z.array(z.string().min(1)).optional(),
    /** For lineage: what the block writes, as `CONNECTION.TABLE` or a file path. */
    writes: z.array(z.string().min(1)).optional(),
    /** Data checks run on the block's output once it is stored (see docs/quality.md). */
    checks: checksFileSchema,
    /** Columns of the output whose sums are recorded each run and watched for anomalies (row count and null rates always are). */
    metrics: metricColumnsSchema.optional(),
    /** Output columns holding personal data: masked for roles below editor, and the mark follows them downstream. */
    pii: z.array(z.string().min(1)).optional(),
    /** What an anomalous metric does: `warn` (default), `fail` the block, or `off`; or the detector's settings. */
    anomalies: anomalySettingsSchema.optional(),
    /** What a change in the output's columns, value formats or null rates does: `warn` (default), `fail`, `evolve`, `freeze`, `discard_row` or `off`. */
    drift: driftSettingsSchema.optional(),
  })
  .strict();

/**
 * A batch pipeline run by a streaming pipeline: each time one of its windows
 * closes, and/or every N records it commits (`on_stream: { pipeline: readings_live, window_closed: true }`).
 */
export const streamTriggerSchema = z
  .object({
    /** The streaming pipeline followed. */
    pipeline: z.string().regex(pipelineNamePattern, pipelineNameRule),
    /** A run when a window of the streaming pipeline closes (windows closed between two looks make one run). */
    window_closed: z.boolean().default(false),
    /** A run each time the records the streaming pipeline committed pass another multiple of this. */
    every_records: z.number().int().positive().optional(),
  })
  .strict()
  .refine((t) => t.window_closed || t.every_records !== undefined, { message: 'give window_closed: true, every_records: N, or both' });

export type StreamTrigger = z.output<typeof streamTriggerSchema>;

export const pipelineFileSchema = z
  .object({
    name: z.string().regex(pipelineNamePattern).optional(),
    description: z.string().optional(),
    variables: z.record(z.string(), variableValue).default({}),
    schedule: scheduleSchema.optional(),
    /** Run when files arrive (each new or rewritten file once; its path is the variable trigger_file). */
    on_file: fileTriggerSchema.optional(),
    /** Run when a streaming pipeline closes a window or commits another N records (each once; see docs/streaming.md). */
    on_stream: streamTriggerSchema.optional(),
    /** How failed blocks are retried (per block, within the run). */
    retries: retryPolicySchema.optional(),
    /** Default timeout for each block. */
    timeout: durationSchema.optional(),
    /** Block runs of one run at once (independent blocks run side by side); the project's `concurrency:` by default. */
    concurrency: z.number().int().min(1).max(256).optional(),
    /** Who hears about failures, successes (opt-in) and missed deadlines. */
    alerts: alertsSchema,
    /** Whether API tokens may trigger runs (the web UI always can); on by default. */
    api: z.object({ enabled: z.boolean().default(true) }).strict().default({ enabled: true }),
    /** A new pipeline starts with no blocks; `run` refuses it until it has one. */
    blocks: z.array(blockFileSchema).default([]),
  })
  .strict();

export type PipelineFile = z.output<typeof pipelineFileSchema>;
export type BlockFile = z.output<typeof blockFileSchema>;
export type VariableValue = z.output<typeof variableValue>;
