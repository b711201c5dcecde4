import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { joinQualified, quoteIdent, quoteLiteral, quoteQualified, splitQualified, tableNameParts } from './quote.ts';

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

  it('refuses a name it would have to alter, saying how to write it', () => {
    const refused = (name: string, why: RegExp) => assert.throws(() => splitQualified(name), (e: Error & { code?: string }) => e.code === 'table.bad_name' && why.test(e.message));
    refused('x"; DROP TABLE t; --', /double quote outside a quoted part.*double each quote/);
    refused('"x', /never closes/);
    refused('"a"b', /text after the closing quote/);
    refused('s..t', /empty part/);
    refused('.t', /empty part/);
  });

  it('reads a quoted hostile name exactly, dot and quote included', () => {
    assert.deepEqual(splitQualified(`"t'; DROP TABLE s.victim; --"`), [`t'; DROP TABLE s.victim; --`]);
    assert.deepEqual(splitQualified('"x""; DROP TABLE t; --"'), ['x"; DROP TABLE t; --']);
  });

  it('tableNameParts refuses three parts instead of folding one into the table name', () => {
    assert.throws(() => tableNameParts('a.b.c'), /has 3 parts; write table or schema\.table/);
    assert.deepEqual(tableNameParts('s."a.b"'), { qualifier: 's', name: 'a.b' });
  });

  it('joinQualified quotes the parts that need it, so splitQualified reads them back', () => {
    for (const parts of [['s', 'a.b'], ['x"y'], ['plain', 'name']]) assert.deepEqual(splitQualified(joinQualified(parts)), parts);
  });
});
