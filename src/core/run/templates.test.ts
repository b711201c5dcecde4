import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError } from '../errors.ts';
import { fillTemplates } from './templates.ts';

const where = { file: 'pipelines/daily.yaml', line: 12, block: 'export' };

describe('fillTemplates', () => {
  it('fills {{ name }} inside a string, with or without spaces', () => {
    const filled = fillTemplates({ path: 'out/{{ day }}/{{region}}.csv' }, { day: '2024-05-01', region: 'eu' }, where);
    assert.deepEqual(filled, { path: 'out/2024-05-01/eu.csv' });
  });

  it('turns a value into text when it is part of a longer string', () => {
    assert.equal(fillTemplates('top {{ n }} by {{ flag }}', { n: 5, flag: false }, where), 'top 5 by false');
  });

  it('keeps the type of the value when the template is the whole string', () => {
    const filled = fillTemplates({ limit: '{{ n }}', full: '{{ flag }}', name: ' {{ n }}' }, { n: 5, flag: true }, where);
    assert.deepEqual(filled, { limit: 5, full: true, name: ' 5' });
  });

  it('fills strings nested in arrays and objects and leaves other values alone', () => {
    const settings = { key: ['{{ k }}', 'id'], nested: { table: 'sales_{{ k }}', size: 3, on: null } };
    assert.deepEqual(fillTemplates(settings, { k: 'day' }, where), { key: ['day', 'id'], nested: { table: 'sales_day', size: 3, on: null } });
  });

  it('does not change the settings it was given', () => {
    const settings = { path: '{{ p }}' };
    fillTemplates(settings, { p: 'x' }, where);
    assert.deepEqual(settings, { path: '{{ p }}' });
  });

  it('leaves text that is not a template as written', () => {
    assert.equal(fillTemplates('{ a } {{ 1x }} {{}}', {}, where), '{ a } {{ 1x }} {{}}');
  });

  it('rejects an unknown variable with a ConfigError naming it and the known ones', () => {
    assert.throws(
      () => fillTemplates({ path: 'out/{{ dya }}.csv' }, { day: '1', region: 'eu' }, where),
      (error: unknown) => {
        assert.ok(error instanceof ConfigError);
        assert.equal(error.code, 'template.unknown_variable');
        assert.match(error.message, /dya/);
        assert.match(error.message, /day, region/);
        assert.deepEqual(error.location, where);
        return true;
      },
    );
  });

  it('rejects an unknown variable that is the whole string', () => {
    assert.throws(() => fillTemplates('{{ missing }}', {}, where), { code: 'template.unknown_variable' });
  });

  it(
    'rejects a variable named like a built-in object property',
    () => {
      assert.throws(() => fillTemplates('{{ constructor }}', { day: '1' }, where), { code: 'template.unknown_variable' });
      assert.throws(() => fillTemplates('x {{ toString }}', { day: '1' }, where), { code: 'template.unknown_variable' });
    },
  );
});
