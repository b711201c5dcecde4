import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createConcurrencyLimit } from './concurrency-limit.ts';

describe('createConcurrencyLimit', () => {
  it('lets at most its limit hold a slot, and hands a freed slot to the first in line', async () => {
    const slots = createConcurrencyLimit(2);
    const first = await slots.acquire();
    const second = await slots.acquire();
    const order: string[] = [];
    const third = slots.acquire().then((release) => (order.push('third'), release));
    const fourth = slots.acquire().then((release) => (order.push('fourth'), release));
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(slots.active, 2);
    assert.deepEqual(order, []);
    first();
    const releaseThird = await third;
    assert.deepEqual(order, ['third']);
    assert.equal(slots.active, 2);
    second();
    (await fourth)();
    releaseThird();
    assert.equal(slots.active, 0);
  });

  it('counts a release once, however often it is called', async () => {
    const slots = createConcurrencyLimit(1);
    const release = await slots.acquire();
    release();
    release();
    assert.equal(slots.active, 0);
    const again = await slots.acquire();
    assert.equal(slots.active, 1);
    again();
  });

  it('lets a waiter whose signal aborts leave the line without taking a slot', async () => {
    const slots = createConcurrencyLimit(1);
    const held = await slots.acquire();
    const controller = new AbortController();
    const leaving = slots.acquire(controller.signal);
    const staying = slots.acquire();
    controller.abort(new Error('run cancelled'));
    await assert.rejects(leaving, /run cancelled/);
    held();
    const release = await staying;
    assert.equal(slots.active, 1);
    release();
    await assert.rejects(slots.acquire(controller.signal), /run cancelled/, 'an aborted signal never waits');
  });

  it('refuses a limit below 1', () => {
    assert.throws(() => createConcurrencyLimit(0), /at least 1/);
  });
});
