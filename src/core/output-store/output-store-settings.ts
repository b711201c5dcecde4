import { z } from 'zod';
import { defaultOutputCacheMb } from './output-cache.ts';

/** sluice.yaml's `outputs:`: which output store keeps block outputs, and its settings. */
export const outputStoreSchema = z.discriminatedUnion('store', [
  z.object({ store: z.literal('local') }).strict(),
  z
    .object({
      store: z.literal('s3'),
      // S3's own rule: 3 to 63 lowercase letters, digits, dots and hyphens.
      bucket: z.string().regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, 'a bucket name is 3 to 63 lowercase letters, digits, dots and hyphens'),
      /** Every key starts with it: give each project its own when projects share a bucket. */
      prefix: z.string().default(''),
      /** An S3-compatible server (MinIO, Ceph, R2...); without it, AWS in `region`. */
      endpoint: z.url().optional(),
      /** Without it, AWS_REGION, else us-east-1. */
      region: z.string().min(1).optional(),
      /** `endpoint/bucket/key` addressing, which MinIO and most S3-compatible servers want. */
      force_path_style: z.boolean().default(false),
      access_key_id: z.string().min(1).default('${AWS_ACCESS_KEY_ID}'),
      secret_access_key: z.string().min(1).default('${AWS_SECRET_ACCESS_KEY}'),
      session_token: z.string().default('${AWS_SESSION_TOKEN:-}'),
      /** Outputs larger than this go up in parts of this size; S3 takes at most 5 GB in one PUT and 10,000 parts. */
      part_size_mb: z.number().int().min(5).max(5120).default(64),
      /** This machine's copies of outputs (`.sluice/output-cache/`) are pruned, least recently used first, past this size. */
      cache_mb: z.number().int().min(1).default(defaultOutputCacheMb),
    })
    .strict(),
]);

export type OutputStoreSettings = z.output<typeof outputStoreSchema>;
export type OutputStoreKind = OutputStoreSettings['store'];
