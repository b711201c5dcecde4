import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Pipeline } from '../pipeline/pipeline.ts';
import { blocksHandlingPii } from './blocks-handling-pii.ts';

const pipeline = (blocks: { name: string; upstream?: string[]; pii?: string[] }[]): Pick<Pipeline, 'blocks'> =>
  ({ blocks: blocks.map((b) => ({ upstream: [], ...b })) }) as unknown as Pick<Pipeline, 'blocks'>;

describe('blocksHandlingPii', () => {
  it('counts a block that marks a column and the blocks that read it, not the ones further down', () => {
    const p = pipeline([{ name: 'raw', pii: ['email'] }, { name: 'count', upstream: ['raw'] }, { name: 'report', upstream: ['count'] }]);
    assert.deepEqual([...blocksHandlingPii(p, [], [])].sort(), ['count', 'raw']);
  });

  it('matches the rules against the columns each block stored, without regard to case', () => {
    const p = pipeline([{ name: 'src' }, { name: 'load', upstream: ['src'] }, { name: 'other' }]);
    assert.deepEqual([...blocksHandlingPii(p, ['*_phone'], [{ block: 'src', columns: [{ name: 'Home_Phone' }] }])].sort(), ['load', 'src']);
    assert.deepEqual([...blocksHandlingPii(p, ['*_phone'], [{ block: 'src', columns: [{ name: 'amount' }] }])], []);
  });
});
