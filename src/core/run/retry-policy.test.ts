import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError, SluiceError } from '../errors.ts';
import { retryDelay, retryPolicySchema, shouldRetry } from './retry-policy.ts';

const policy = retryPolicySchema.parse({ count: 3, delay: '2s', max_delay: '5s', jitter: false });

describe('retry policy', () => {
  it('reads durations and fills defaults', () => {
    assert.deepEqual(retryPolicySchema.parse({ count: 2, delay: '1m30s' }), {
      count: 2, delay: 90_000, backoff: 'exponential', jitter: true, max_delay: 600_000, all_errors: false,
    });
    assert.throws(() => retryPolicySchema.parse({ delay: 'soon' }), /not a duration/);
  });

  it('doubles the delay up to the maximum', () => {
    assert.deepEqual([1, 2, 3, 4].map((n) => retryDelay(policy, n)), [2000, 4000, 5000, 5000]);
    assert.equal(retryDelay({ ...policy, backoff: 'fixed' }, 3), 2000);
  });

  it('jitters between half the delay and the delay', () => {
    const jittered = { ...policy, jitter: true };
    assert.equal(retryDelay(jittered, 2, () => 0), 2000);
    assert.equal(retryDelay(jittered, 2, () => 1), 4000);
  });

  it('retries what a retry can help, up to the count', () => {
    const transient = new SluiceError('postgres.connect_failed', 'refused', { retryable: true });
    assert.equal(shouldRetry(policy, transient, 1), true);
    assert.equal(shouldRetry(policy, transient, 3), true);
    assert.equal(shouldRetry(policy, transient, 4), false);
  });

  it('never retries a syntax error or a configuration error unless told to', () => {
    const syntax = new SluiceError('block.compile_failed', 'bad', { retryable: false });
    const config = new ConfigError('connection.unknown', 'no such connection');
    assert.equal(shouldRetry(policy, syntax, 1), false);
    assert.equal(shouldRetry({ ...policy, all_errors: true }, syntax, 1), true);
    assert.equal(shouldRetry({ ...policy, all_errors: true }, config, 1), false);
  });
});
