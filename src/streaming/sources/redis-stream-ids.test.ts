import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseRedisStreamId, redisStreamIdsBefore } from './redis-stream-ids.ts';

describe('Redis stream ids', () => {
  const ids = ['0-0', '0-1', '9-0', '10-0', '1700000000000-0', '1700000000000-9', '1700000000000-10', '1700000000001-0', '1700000000001-18446744073709551615', '99999999999999-2'];
  const before = (a: string, b: string) => {
    const [am, as] = parseRedisStreamId(a);
    const [bm, bs] = parseRedisStreamId(b);
    return am < bm || (am === bm && as < bs);
  };

  it('tells which ids come before a bound, as the numbers compare, not the text', () => {
    for (const bound of ids) {
      const settled = redisStreamIdsBefore(bound, false);
      for (const id of ids) assert.equal(settled(id), before(id, bound), `${id} before ${bound}`);
    }
  });

  it('takes the bound itself when inclusive', () => {
    for (const bound of ids) {
      const settled = redisStreamIdsBefore(bound, true);
      for (const id of ids) assert.equal(settled(id), before(id, bound) || id === bound, `${id} up to ${bound}`);
    }
  });

  it('refuses what is not a stream entry id', () => {
    assert.throws(() => redisStreamIdsBefore('12', false), /not a Redis stream entry id/);
    assert.throws(() => redisStreamIdsBefore('5-0', false)('abc'), /not a Redis stream entry id/);
  });
});
