import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { match, routeQuery, withQuery } from './router.ts';

describe('fragment routes', () => {
  it('matches a pattern and decodes its parameters', () => {
    assert.deepEqual(match('/runs/:id', '/runs/2025%2F01'), { id: '2025/01' });
    assert.deepEqual(match('/pipelines/:name', '/pipelines/daily?x=1'), { name: 'daily' });
    assert.equal(match('/runs/:id', '/runs'), undefined);
    assert.equal(match('/runs/:id', '/pipelines/a'), undefined);
  });

  it('reads the filters after the path', () => {
    assert.equal(routeQuery('/runs?status=failed&pipeline=a').get('status'), 'failed');
    assert.equal(routeQuery('/runs').get('status'), null);
  });

  it('sets and removes query parameters, keeping the others', () => {
    assert.equal(withQuery('/pipelines/a', { block: 'orders' }), '/pipelines/a?block=orders');
    assert.equal(withQuery('/pipelines/a?block=orders&tab=logs', { block: 'report' }), '/pipelines/a?block=report&tab=logs');
    assert.equal(withQuery('/pipelines/a?block=orders', { block: undefined }), '/pipelines/a');
  });
});
