import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { listText, parseListText, structureOf, variantOf } from './structure.ts';

const similarity = { type: 'string', enum: ['jaro_winkler', 'exact'] };

describe('how a structured setting is edited, from its schema', () => {
  it('edits a setting written short or long in its long form, the short value going to the matching field', () => {
    const column = { anyOf: [similarity, { type: 'object', properties: { similarity, weight: { type: 'number' } }, required: ['similarity'] }] };
    const structure = structureOf(column);
    assert.equal(structure.kind, 'object');
    assert.equal(structure.kind === 'object' && structure.shortKey, 'similarity');
  });

  it('tells shapes apart by a constant setting, or else by their required settings', () => {
    const split = structureOf({
      oneOf: [
        { type: 'object', properties: { by: { const: 'time' }, cutoff: { type: 'string' } }, required: ['by', 'cutoff'] },
        { type: 'object', properties: { by: { const: 'group' }, seed: { type: 'number' } }, required: ['by', 'seed'] },
      ],
    });
    assert.ok(split.kind === 'variants');
    assert.deepEqual([split.discriminator, split.labels], ['by', ['time', 'group']]);
    assert.equal(variantOf(split, { by: 'group' }), 1);
    const transform = structureOf({
      anyOf: [
        { type: 'object', properties: { scale: { type: 'string', enum: ['standard'] } }, required: ['scale'] },
        { type: 'object', properties: { encode: { type: 'string', enum: ['one_hot'] }, unseen: { type: 'string' } }, required: ['encode'] },
      ],
    });
    assert.ok(transform.kind === 'variants');
    assert.deepEqual([transform.discriminator, transform.labels], [undefined, ['scale', 'encode']]);
    assert.equal(variantOf(transform, { encode: 'one_hot' }), 1);
    assert.equal(variantOf(transform, {}), -1);
  });

  it('edits a map as named entries and a list of names, some joined, as text', () => {
    assert.equal(structureOf({ type: 'object', additionalProperties: { type: 'string' } }).kind, 'map');
    const blocking = { type: 'array', items: { anyOf: [{ type: 'string' }, { type: 'array', items: { type: 'string' } }] } };
    assert.deepEqual(structureOf(blocking), { kind: 'list', groups: true });
    assert.deepEqual(parseListText(' zip , city+ street,', true), ['zip', ['city', 'street']]);
    assert.equal(listText(['zip', ['city', 'street']]), 'zip, city + street');
    assert.deepEqual(parseListText('a + b', false), ['a + b']);
    assert.equal(parseListText(' , ', false), undefined);
    assert.equal(structureOf({ type: 'array', items: { type: 'string', enum: ['a'] } }).kind, 'json', 'a list of choices stays JSON');
  });
});
