import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { acceptsText, exampleHint } from './example-hint.ts';

describe('setting hints made from each setting\'s schema', () => {
  it('says a key takes a name or a list of names', () => {
    const key = { anyOf: [{ type: 'string' }, { type: 'array', items: { type: 'string' } }] };
    assert.equal(exampleHint(key), 'e.g. text or ["text"]');
    assert.ok(acceptsText(key));
  });

  it('says a sheet takes a name or a position', () => {
    assert.equal(exampleHint({ anyOf: [{ type: 'string' }, { type: 'integer' }] }), 'e.g. text or 1');
  });

  it('shows a map of column types as one entry', () => {
    const columns = { type: 'object', additionalProperties: { type: 'string' } };
    assert.equal(exampleHint(columns), 'e.g. {"name": "text"}');
    assert.ok(!acceptsText(columns));
  });

  it('names the default', () => {
    assert.equal(exampleHint({ type: 'array', items: { type: 'integer' }, default: [1] }), 'e.g. [1] (default [1])');
  });
});
