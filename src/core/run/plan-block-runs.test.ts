import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { DagNode } from '../pipeline/dag.ts';
import { planBlockRuns } from './plan-block-runs.ts';

const node = (name: string, ...upstream: string[]): DagNode => ({ name, upstream });
const names = (blocks: readonly DagNode[]): string[] => blocks.map((b) => b.name);

describe('planBlockRuns', () => {
  it('starts every block whose upstreams have finished, all at once when the limit allows', () => {
    const plan = planBlockRuns([node('a'), node('b'), node('c', 'a'), node('d')], 8);
    assert.deepEqual(names(plan.start()), ['a', 'b', 'd']);
    assert.deepEqual(names(plan.start()), [], 'nothing else is ready while a runs');
    plan.finish('a', 'succeeded');
    assert.deepEqual(names(plan.start()), ['c']);
  });

  it('starts a block that reads several upstreams only after all of them succeeded', () => {
    const plan = planBlockRuns([node('left'), node('right'), node('join', 'left', 'right')], 4);
    assert.deepEqual(names(plan.start()), ['left', 'right']);
    plan.finish('right', 'succeeded');
    assert.deepEqual(names(plan.start()), []);
    plan.finish('left', 'succeeded');
    assert.deepEqual(names(plan.start()), ['join']);
  });

  it('starts a block after the blocks it waits for without reading them, and skips it when one fails', () => {
    const checked = { name: 'clean', upstream: ['raw'], after: ['catalogue'] };
    const plan = planBlockRuns([{ name: 'raw', upstream: [] }, checked, { name: 'catalogue', upstream: [] }], 4);
    assert.deepEqual(names(plan.start()), ['raw', 'catalogue']);
    plan.finish('raw', 'succeeded');
    assert.deepEqual(names(plan.start()), [], 'clean waits for the block its check reads');
    assert.deepEqual(names(plan.finish('catalogue', 'failed')), ['clean']);
    assert.equal(plan.done, true);
  });

  it('never has more blocks running than its concurrency', () => {
    const plan = planBlockRuns([node('a'), node('b'), node('c'), node('d'), node('e')], 2);
    assert.deepEqual(names(plan.start()), ['a', 'b']);
    assert.equal(plan.running, 2);
    assert.deepEqual(names(plan.start()), []);
    plan.finish('b', 'succeeded');
    assert.deepEqual(names(plan.start()), ['c']);
    plan.finish('a', 'succeeded');
    plan.finish('c', 'succeeded');
    assert.deepEqual(names(plan.start()), ['d', 'e']);
  });

  it('runs one block after another with a concurrency of 1, in pipeline order', () => {
    const plan = planBlockRuns([node('x'), node('y'), node('z', 'x')], 1);
    const order: string[] = [];
    while (!plan.done) {
      for (const block of plan.start()) {
        order.push(block.name);
        plan.finish(block.name, 'succeeded');
      }
    }
    assert.deepEqual(order, ['x', 'y', 'z']);
  });

  it('skips only the downstream blocks of a failure, and independent branches still run', () => {
    const plan = planBlockRuns([node('raw'), node('clean', 'raw'), node('report', 'clean'), node('other'), node('other_report', 'other')], 4);
    assert.deepEqual(names(plan.start()), ['raw', 'other']);
    assert.deepEqual(names(plan.finish('raw', 'failed')), ['clean', 'report']);
    assert.deepEqual(names(plan.start()), []);
    assert.deepEqual(names(plan.finish('other', 'succeeded')), []);
    assert.deepEqual(names(plan.start()), ['other_report']);
    plan.finish('other_report', 'succeeded');
    assert.equal(plan.done, true);
  });

  it('skips a block that reads a failed block and a succeeded one', () => {
    const plan = planBlockRuns([node('a'), node('b'), node('join', 'a', 'b')], 4);
    plan.start();
    plan.finish('a', 'succeeded');
    assert.deepEqual(names(plan.finish('b', 'cancelled')), ['join']);
    assert.equal(plan.done, true);
  });

  it('counts upstreams outside the run as done (their outputs come from an earlier run)', () => {
    const plan = planBlockRuns([node('report', 'clean')], 2);
    assert.deepEqual(names(plan.start()), ['report']);
  });

  it('withdraws the blocks not yet started when the run is cancelled, and is done once the running ones end', () => {
    const plan = planBlockRuns([node('a'), node('b', 'a'), node('c')], 1);
    assert.deepEqual(names(plan.start()), ['a']);
    assert.deepEqual(names(plan.withdrawPending()), ['b', 'c']);
    assert.equal(plan.done, false);
    plan.finish('a', 'cancelled');
    assert.equal(plan.done, true);
    assert.deepEqual(names(plan.start()), []);
  });

  it('refuses a concurrency below 1 and a finish of a block that is not running', () => {
    assert.throws(() => planBlockRuns([node('a')], 0), /at least 1/);
    const plan = planBlockRuns([node('a')], 1);
    assert.throws(() => plan.finish('a', 'succeeded'), /was not running/);
  });
});
