import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { quoteIdent, quoteLiteral, quoteQualified, splitQualified } from './quote.ts';

describe('quoteIdent', () => {
  it('wraps a name in double quotes and doubles the quotes inside', () => {
    assert.equal(quoteIdent('sales'), '"sales"');
    assert.equal(quoteIdent('my "odd" table'), '"my ""odd"" table"');
  });

  it('keeps spaces, dots and unicode inside one identifier', () => {
    assert.equal(quoteIdent('a.b c ✓'), '"a.b c ✓"');
  });

  it('refuses a NUL character', () => {
    assert.throws(() => quoteIdent('a\0b'), /NUL/);
  });
});

describe('quoteLiteral', () => {
  it('wraps text in single quotes and doubles the quotes inside', () => {
    assert.equal(quoteLiteral("it's"), "'it''s'");
    assert.equal(quoteLiteral("'; drop table x; --"), "'''; drop table x; --'");
  });

  it('refuses a NUL character', () => {
    assert.throws(() => quoteLiteral('\0'), /NUL/);
  });
});

describe('splitQualified and quoteQualified', () => {
  it('splits schema and table on a dot', () => {
    assert.deepEqual(splitQualified('public.sales'), ['public', 'sales']);
    assert.equal(quoteQualified('public.sales'), '"public"."sales"');
  });

  it('keeps a dot inside double quotes as part of the name', () => {
    assert.deepEqual(splitQualified('"odd.name"'), ['odd.name']);
    assert.deepEqual(splitQualified('s."a.b"'), ['s', 'a.b']);
    assert.equal(quoteQualified('s."a.b"'), '"s"."a.b"');
  });

  it('reads doubled quotes inside a quoted part as one quote', () => {
    assert.deepEqual(splitQualified('"my ""odd"" table"'), ['my "odd" table']);
    assert.equal(quoteQualified('"my ""odd"" table"'), '"my ""odd"" table"');
  });

  it('leaves a plain name whole', () => {
    assert.deepEqual(splitQualified('daily revenue'), ['daily revenue']);
  });
});
