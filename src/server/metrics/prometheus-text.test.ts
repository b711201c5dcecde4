import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { escapeLabelValue, formatPrometheusText } from './prometheus-text.ts';

describe('the Prometheus text format', () => {
  it('escapes backslash, double quote and line feed in label values, and only those', () => {
    assert.equal(escapeLabelValue('a\\b"c\nd\te'), 'a\\\\b\\"c\\nd\te');
  });

  it('writes HELP, TYPE and samples, with special values spelled as the format spells them', () => {
    const text = formatPrometheusText([
      { name: 'x_total', help: 'two\nlines \\ here', type: 'counter', samples: [{ labels: { pipeline: 'say "hi"' }, value: 3 }] },
      { name: 'y', help: 'a gauge', type: 'gauge', samples: [{ labels: {}, value: Infinity }, { labels: { k: 'v' }, value: NaN }] },
    ]);
    assert.equal(text, '# HELP x_total two\\nlines \\\\ here\n# TYPE x_total counter\nx_total{pipeline="say \\"hi\\""} 3\n# HELP y a gauge\n# TYPE y gauge\ny +Inf\ny{k="v"} NaN\n');
  });

  it('refuses a counter not named _total and names no metric can have', () => {
    assert.throws(() => formatPrometheusText([{ name: 'runs', help: 'h', type: 'counter', samples: [] }]), /must be named \.\.\._total/);
    assert.throws(() => formatPrometheusText([{ name: 'bad-name', help: 'h', type: 'gauge', samples: [] }]), /not a Prometheus metric name/);
    assert.throws(() => formatPrometheusText([{ name: 'g', help: 'h', type: 'gauge', samples: [{ labels: { 'bad-label': 'x' }, value: 1 }] }]), /not a Prometheus label name/);
  });
});
