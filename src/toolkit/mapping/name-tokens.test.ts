import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { nameSimilarity } from './name-similarity.ts';
import { nameTokens } from './name-tokens.ts';

const concepts = (name: string) => nameTokens(name).map((t) => t.concept);

describe('nameTokens', () => {
  it('splits camelCase, snake_case, UPPER_CASE, spaces and digits', () => {
    assert.deepEqual(concepts('lastModifiedDate'), ['last', 'modified', 'date']);
    assert.deepEqual(concepts('billing_details_address_postal_code'), ['billing', 'description', 'address', 'postal', 'code']);
    assert.deepEqual(concepts('Address_Line_1'), ['address', 'line', '1']);
    assert.deepEqual(concepts('Lineitem quantity'), ['line', 'product', 'quantity']);
  });
  it('expands abbreviations: CUST → customer, AMT → amount, DT → date, DOB → birth date, qty, addr, tel', () => {
    assert.deepEqual(concepts('CUST_NO'), ['customer', 'number']);
    assert.deepEqual(concepts('PMT_AMT'), ['payment', 'amount']);
    assert.deepEqual(concepts('INV_DT'), ['invoice', 'date']);
    assert.deepEqual(concepts('DOB'), ['birth', 'date']);
    assert.deepEqual(concepts('qty'), ['quantity']);
    assert.deepEqual(concepts('addr1'), ['address', '1']);
    assert.deepEqual(concepts('TEL'), ['phone']);
  });
  it('splits run-together lower-case names on known words', () => {
    assert.deepEqual(concepts('lastmodifieddate'), ['modified', 'date']);
    assert.deepEqual(concepts('associatedcompanyid'), ['associated', 'company', 'id']);
    assert.deepEqual(concepts('numberofemployees'), ['number', 'of', 'employee']);
  });
  it('keeps a word it cannot split or expand as it is, stemmed', () => {
    assert.deepEqual(concepts('livemode'), ['livemode']);
    assert.deepEqual(concepts('refunded_cents'), ['refund', 'cent']);
  });
});

describe('nameSimilarity', () => {
  const sim = (a: string, b: string) => nameSimilarity(nameTokens(a), nameTokens(b));
  it('meets names through synonyms and says which', () => {
    const { score, readings } = sim('homeEmail', 'Personal_Email_Address');
    assert.ok(score > 0.7, String(score));
    assert.deepEqual(readings, ['home ≈ personal']);
  });
  it('names the abbreviation it expanded', () => {
    assert.deepEqual(sim('CUST_NO', 'customer_number'), { score: 1, readings: ['CUST → customer', 'NO → number'] });
  });
  it('counts weak words for less, so two codes are not alike for being codes', () => {
    assert.ok(sim('country_code', 'currency_code').score < 0.4);
    assert.ok(sim('is_paid', 'paid').score > 0.8);
  });
  it('scores unrelated names 0', () => {
    assert.equal(sim('gender', 'invoice_total').score, 0);
  });
});
