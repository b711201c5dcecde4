import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createPayloadDecoder } from './decode-payload.ts';
import { RecordProblem } from './record-schema.ts';

const bytes = (text: string) => Buffer.from(text, 'utf8');

describe('payload decoding', () => {
  it('checks JSON against declared columns and drops undeclared fields', () => {
    const decoder = createPayloadDecoder({ format: 'json', columns: { id: 'BIGINT NOT NULL', amount: 'DOUBLE', note: 'VARCHAR' }, unknown_fields: 'discard', delimiter: ',' }, 'pipelines/p.yaml');
    assert.deepEqual(decoder.decode(bytes('{"id": 7, "amount": "2.5", "extra": true}')), { id: 7, amount: 2.5, note: null });
    assert.throws(() => decoder.decode(bytes('{"amount": 1}')), /column id is NOT NULL/);
    assert.throws(() => decoder.decode(bytes('{"id": 1.5}')), (e) => e instanceof RecordProblem && /column id \(BIGINT\): 1.5 is not a valid value/.test(e.message));
    assert.throws(() => decoder.decode(bytes('{"id": ')), /not JSON/);
    assert.throws(() => decoder.decode(bytes('[1]')), /not an object \(an array\)/);
  });

  it('learns the columns of undeclared JSON as they appear and holds later values to them', () => {
    const decoder = createPayloadDecoder({ format: 'json', unknown_fields: 'discard', delimiter: ',' }, 'p');
    decoder.decode(bytes('{"id": 1, "name": "a"}'));
    decoder.decode(bytes('{"id": 2, "tags": ["x"]}'));
    assert.deepEqual(decoder.columns().map((c) => `${c.name} ${c.type}`), ['id BIGINT', 'name VARCHAR', 'tags JSON']);
    assert.throws(() => decoder.decode(bytes('{"id": "two"}')), /column id \(BIGINT\)/);
  });

  it('reads CSV lines in the declared column order, quotes included', () => {
    const decoder = createPayloadDecoder({ format: 'csv', columns: { id: 'BIGINT', name: 'VARCHAR', ok: 'BOOLEAN' }, unknown_fields: 'discard', delimiter: ',' }, 'p');
    assert.deepEqual(decoder.decode(bytes('3,"Smith, ""Jo""",true\n')), { id: 3, name: 'Smith, "Jo"', ok: true });
    assert.throws(() => decoder.decode(bytes('3,x')), /has 2 fields; the payload declares 3 columns/);
  });

  it('keeps a text payload whole and refuses bytes that are not UTF-8', () => {
    const decoder = createPayloadDecoder({ format: 'text', unknown_fields: 'discard', delimiter: ',' }, 'p');
    assert.deepEqual(decoder.decode(bytes('hello, world')), { text: 'hello, world' });
    assert.throws(() => decoder.decode(new Uint8Array([0xff, 0xfe])), /not valid UTF-8/);
  });

  it('holds records to the declared columns under freeze and discard_row: another field fails the record, naming it', () => {
    for (const contract of ['freeze', 'discard_row'] as const) {
      const decoder = createPayloadDecoder({ format: 'json', columns: { id: 'BIGINT NOT NULL' }, delimiter: ',' }, 'p', contract);
      assert.deepEqual(decoder.decode(bytes('{"id": 1}')), { id: 1 });
      assert.throws(() => decoder.decode(bytes('{"id": 2, "color": "red"}')), new RegExp(`field color is not a declared column and the schema contract is ${contract}`));
    }
    const discarding = createPayloadDecoder({ format: 'json', columns: { id: 'BIGINT NOT NULL' }, unknown_fields: 'discard', delimiter: ',' }, 'p', 'freeze');
    assert.deepEqual(discarding.decode(bytes('{"id": 2, "color": "red"}')), { id: 2 }, 'an explicit unknown_fields: discard still drops the field');
  });
});
