import { z } from 'zod';
import { durationSchema } from '../pipeline/duration.ts';
import type { SluiceError } from '../errors.ts';

export const retryPolicySchema = z
  .object({
    /** Retries after the first attempt. */
    count: z.number().int().min(0).max(100).default(0),
    delay: durationSchema.default(10_000),
    backoff: z.enum(['fixed', 'exponential']).default('exponential'),
    /** Spread retries at random up to the delay, so many runs do not retry in step. */
    jitter: z.boolean().default(true),
    max_delay: durationSchema.default(600_000),
    /** Retry errors that say a retry cannot help too (a syntax error, a bad setting). Off by default. */
    all_errors: z.boolean().default(false),
  })
  .strict();

export type RetryPolicy = z.output<typeof retryPolicySchema>;

export const noRetries: RetryPolicy = { count: 0, delay: 0, backoff: 'fixed', jitter: false, max_delay: 0, all_errors: false };

/**
 * Whether attempt `attempt` (1-based) that failed with `error` is tried again:
 * only errors that say a retry can help (a dropped connection, a timeout), and
 * never configuration errors, unless the policy says all errors.
 */
export function shouldRetry(policy: RetryPolicy, error: SluiceError, attempt: number): boolean {
  if (attempt > policy.count) return false;
  if (error.kind !== 'run') return false;
  return policy.all_errors || error.retryable;
}

/** Milliseconds to wait before retry number `retry` (1-based). */
export function retryDelay(policy: RetryPolicy, retry: number, random: () => number = Math.random): number {
  const base = policy.backoff === 'exponential' ? policy.delay * 2 ** (retry - 1) : policy.delay;
  const capped = Math.min(base, policy.max_delay);
  // "Equal jitter": at least half the delay, so retries never pile up at zero.
  return policy.jitter ? capped / 2 + random() * (capped / 2) : capped;
}
