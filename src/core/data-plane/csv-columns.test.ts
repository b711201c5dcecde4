import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { planDeclared, planFromStats, type NumberStats } from './csv-columns.ts';

const style = { dateFormats: [], allowNanInfinity: false };
const stats = (s: Partial<NumberStats>): NumberStats => ({ values: 2, numbers: 2, integers: 0, plain: 2, intDigits: 1, fracDigits: 1, significant: 2, ...s });

describe('planFromStats', () => {
  it('keeps whole numbers whole: BIGINT, then HUGEINT to 38 digits, then text', () => {
    assert.deepEqual(planFromStats('n', 'DOUBLE', stats({ integers: 2, intDigits: 18 })), { kind: 'exact', name: 'n', type: 'BIGINT' });
    assert.deepEqual(planFromStats('n', 'DOUBLE', stats({ integers: 2, intDigits: 19 })), { kind: 'exact', name: 'n', type: 'HUGEINT' });
    assert.deepEqual(planFromStats('n', 'DOUBLE', stats({ integers: 2, intDigits: 39 })), { kind: 'exact', name: 'n', type: 'VARCHAR' });
  });

  it('chooses DOUBLE only when no value has more than 15 significant digits', () => {
    assert.deepEqual(planFromStats('x', 'DOUBLE', stats({ significant: 15 })), { kind: 'float', name: 'x', type: 'DOUBLE' });
    assert.deepEqual(planFromStats('x', 'DOUBLE', stats({ significant: 21, intDigits: 1, fracDigits: 20 })), { kind: 'exact', name: 'x', type: 'DECIMAL(21,20)' });
    assert.deepEqual(planFromStats('x', 'DOUBLE', stats({ significant: 21, plain: 1 })), { kind: 'exact', name: 'x', type: 'VARCHAR' });
  });

  it('leaves a text column with a value that is not a number as text', () => {
    assert.deepEqual(planFromStats('t', 'VARCHAR', stats({ numbers: 1 })), { kind: 'engine', name: 't', type: 'VARCHAR' });
  });
});

describe('planDeclared', () => {
  it('checks dates and floats itself, and other numbers only in a separator style', () => {
    assert.equal(planDeclared('d', 'date', style).kind, 'date');
    assert.equal(planDeclared('x', 'DOUBLE', style).kind, 'float');
    assert.equal(planDeclared('n', 'DECIMAL(12,2)', style).kind, 'engine');
    assert.equal(planDeclared('n', 'DECIMAL(12,2)', { ...style, decimal: ',' }).kind, 'exact');
  });
});
