import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CommittedIds } from './committed-ids.ts';

describe('committed ids', () => {
  it('keeps consecutive ids as one range and finds each of them', () => {
    const ids = new CommittedIds();
    for (let n = 1; n <= 1000; n++) ids.add(String(n));
    assert.equal(ids.size, 1);
    assert.ok(ids.has('1') && ids.has('500') && ids.has('1000'));
    assert.ok(!ids.has('0') && !ids.has('1001'));
  });

  it('matches a plain set whatever order the ids come in', () => {
    const ids = new CommittedIds();
    const expected = new Set<number>();
    let seed = 7;
    for (let i = 0; i < 3000; i++) {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      const n = seed % 500;
      ids.add(`1700000000000-${n}`);
      expected.add(n);
    }
    for (let n = 0; n < 520; n++) assert.equal(ids.has(`1700000000000-${n}`), expected.has(n), `id ${n}`);
    const ranges = ids.toJSON()['1700000000000-']!;
    for (let i = 1; i < ranges.length; i++) assert.ok(ranges[i]![0] > ranges[i - 1]![1] + 1, 'ranges stay sorted, apart and merged');
  });

  it('keeps prefixes apart and survives a round trip through JSON', () => {
    const ids = new CommittedIds();
    ids.add('5-1');
    ids.add('6-1');
    ids.add('not-a-number');
    const back = CommittedIds.fromJSON(JSON.parse(JSON.stringify(ids)));
    assert.ok(back.has('5-1') && back.has('6-1') && back.has('not-a-number'));
    assert.ok(!back.has('5-2') && !back.has('7-1') && !back.has('not-a-numbe'));
  });

  it('forgets the ranges the broker will never deliver again', () => {
    const ids = new CommittedIds();
    for (const n of [1, 2, 3, 10, 11, 20]) ids.add(String(n));
    ids.prune((id) => Number(id) <= 11);
    assert.deepEqual(ids.toJSON(), { '': [[20, 20]] });
  });
});

describe('committed ids of brokers whose ids are not positions', () => {
  it('tells apart ids that differ in leading zeros, and ids without a number', () => {
    const ids = new CommittedIds();
    ids.add('A-007');
    ids.add('sha256:ab');
    const back = CommittedIds.fromJSON(JSON.parse(JSON.stringify(ids)));
    assert.ok(back.has('A-007') && back.has('sha256:ab'));
    assert.ok(!back.has('A-7') && !back.has('A-07') && !back.has('sha256:a'));
  });

  it('prunes each id the broker settled, keeping the unsettled ones of the same range', () => {
    const ids = new CommittedIds();
    for (const id of ['order-17', 'order-18', 'order-19', 'msg-b', 'msg-a', 'x-007']) ids.add(id);
    const settled = new Set(['order-18', 'msg-a', 'x-007']);
    ids.prune((id) => settled.has(id));
    for (const id of ['order-17', 'order-19', 'msg-b']) assert.ok(ids.has(id), id);
    for (const id of settled) assert.ok(!ids.has(id), id);
    assert.equal(ids.size, 3);
  });
});
