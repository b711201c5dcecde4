import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { lostConnectionText } from './lost-connection-text.ts';

describe('lostConnectionText', () => {
  it('says a broken socket lost the connection, keeping the driver words', () => {
    const error = Object.assign(new Error('write EPIPE'), { code: 'EPIPE' });
    assert.equal(lostConnectionText(error, 'write EPIPE'), 'the connection to the server was lost (write EPIPE)');
  });

  it('leaves any other error as it was', () => {
    assert.equal(lostConnectionText(Object.assign(new Error('x'), { code: '23505' }), 'duplicate key'), 'duplicate key');
    assert.equal(lostConnectionText('plain', 'plain'), 'plain');
  });
});
