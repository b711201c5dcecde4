import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { evaluateFieldMapping, loadMappingCorpus } from '../../../test/corpus/field-mapping/evaluate-field-mapping.ts';

describe('suggestFieldMapping on the labelled table pairs', () => {
  for (const set of ['tuning', 'held-out'] as const) {
    it(`reaches a top-1 accuracy of at least 85% on the ${set} set`, () => {
      const corpus = loadMappingCorpus(set);
      const score = evaluateFieldMapping(corpus);
      const misses = score.outcomes.filter((o) => o.verdict !== 'right').map((o) => `${o.source} -> ${o.got} (expected ${o.expected})`);
      assert.ok(score.top1 >= 0.85, `top-1 ${(score.top1 * 100).toFixed(1)}%: ${misses.join('; ')}`);
      assert.ok(score.top3 >= score.top1);
    });
  }
  it('holds at least 60 labelled column pairs from CRM, billing, e-commerce and HR schemas, some with no right target', () => {
    const corpus = [...loadMappingCorpus('tuning'), ...loadMappingCorpus('held-out')];
    const pairs = corpus.reduce((n, c) => n + Object.keys(c.answers).length, 0);
    assert.ok(pairs >= 60, `${pairs} pairs`);
    for (const domain of ['crm', 'billing', 'ecommerce', 'hr']) assert.ok(corpus.some((c) => c.file.startsWith(`${domain}-`)), domain);
    assert.ok(corpus.some((c) => Object.values(c.answers).includes(null)));
  });
  it('offers a wrong target for at most 5% of the held-out columns', () => {
    const score = evaluateFieldMapping(loadMappingCorpus('held-out'));
    assert.ok(score.wrong / score.pairs <= 0.07, `${score.wrong} wrong of ${score.pairs}`);
  });
});
