import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { suggestFieldMapping, type FieldSample } from './suggest-field-mapping.ts';

const field = (name: string, type: string, values: string[] = []): FieldSample => ({ name, type, values });

describe('suggestFieldMapping', () => {
  const target = [
    field('customer_id', 'BIGINT', ['1', '2', '3']),
    field('customer_email', 'VARCHAR', ['a@x.io', 'b@y.com']),
    field('order_total', 'DECIMAL(12,2)', ['10.00', '99.90']),
    field('ordered_on', 'DATE', ['2024-01-02', '2024-02-03']),
    field('status', 'VARCHAR', ['PAID', 'REFUNDED', 'PENDING']),
  ];

  it('maps each source column with a confidence and a reason naming the evidence', () => {
    const source = [
      field('CUST_NO', 'INTEGER', ['10', '11']),
      field('EMAIL_ADDR', 'VARCHAR', ['c@z.org', 'd@w.net']),
      field('TOT_AMT', 'NUMERIC(10,2)', ['12.50', '7.00']),
      field('ORD_DT', 'VARCHAR', ['2024-03-04', '2024-03-05']),
      field('STAT', 'VARCHAR', ['paid', 'pending']),
    ];
    const got = suggestFieldMapping(source, target);
    assert.deepEqual(got.map((s) => [s.source, s.target]), [
      ['CUST_NO', 'customer_id'], ['EMAIL_ADDR', 'customer_email'], ['TOT_AMT', 'order_total'], ['ORD_DT', 'ordered_on'], ['STAT', 'status'],
    ]);
    const email = got[1]!;
    assert.ok(email.confidence >= 0.7, String(email.confidence));
    assert.match(email.reason, /both hold email addresses/);
    assert.match(got[4]!.reason, /STAT → status.*2 sample values in common \(paid, pending\)/);
    assert.ok(got.every((s) => s.confidence > 0 && s.confidence <= 1 && s.candidates.length === 3));
  });

  it('says "no match" instead of guessing when nothing scores above the threshold', () => {
    const [s] = suggestFieldMapping([field('livemode', 'BOOLEAN', ['true', 'false'])], target);
    assert.equal(s!.target, null);
    assert.equal(s!.confidence, 0);
    assert.match(s!.reason, /^no match: no target scored 0.5 or more \(nearest /);
  });

  it('gives each target to one source column unless asked otherwise', () => {
    const source = [field('email', 'VARCHAR', ['a@b.io', 'c@d.io']), field('e_mail', 'VARCHAR', ['e@f.io', 'g@h.io'])];
    const oneToOne = suggestFieldMapping(source, target);
    assert.equal(oneToOne.filter((s) => s.target === 'customer_email').length, 1);
    assert.match(oneToOne.find((s) => s.target === null)!.reason, /went to columns that fit them better/);
    const many = suggestFieldMapping(source, target, { manyToOne: true });
    assert.deepEqual(many.map((s) => s.target), ['customer_email', 'customer_email']);
  });

  it('lets sample values decide between names that fit equally', () => {
    const got = suggestFieldMapping(
      [field('contact', 'VARCHAR', ['+1 415 555 2671', '+44 20 7946 0958'])],
      [field('contact_email', 'VARCHAR', ['a@b.io', 'c@d.io']), field('contact_phone', 'VARCHAR', ['+1 212 555 0101', '+33 1 23 45 67 89'])],
    );
    assert.equal(got[0]!.target, 'contact_phone');
    assert.match(got[0]!.reason, /both hold phone numbers/);
  });

  it('honours a stricter threshold', () => {
    const source = [field('STAT', 'VARCHAR', ['paid'])];
    assert.equal(suggestFieldMapping(source, target)[0]!.target, 'status');
    assert.equal(suggestFieldMapping(source, target, { threshold: 0.99 })[0]!.target, null);
  });
});
