/**
 * Evaluates field-mapping suggestions on the labelled table pairs in
 * test/corpus/field-mapping and prints top-1 and top-3 accuracy, the right,
 * flagged (no match offered) and wrong counts, each miss, and the same with
 * fewer signals (names and types only; names only) to show what values add.
 *
 *   npm run eval:mapping [-- --threshold 0.5]
 */
import { parseArgs } from 'node:util';
import { evaluateFieldMapping, loadMappingCorpus, type MappingScore } from '../../test/corpus/field-mapping/evaluate-field-mapping.ts';

const { values } = parseArgs({ options: { threshold: { type: 'string', default: '0.5' } } });
const threshold = Number(values.threshold);
const pct = (share: number): string => `${(100 * share).toFixed(1)}%`;
const line = (label: string, s: MappingScore) =>
  console.log(`${label.padEnd(28)}${pct(s.top1).padStart(8)}${pct(s.top3).padStart(8)}${String(s.right).padStart(7)}${String(s.flagged).padStart(9)}${String(s.wrong).padStart(7)}`);

for (const set of ['tuning', 'held-out'] as const) {
  const corpus = loadMappingCorpus(set);
  const full = evaluateFieldMapping(corpus, { threshold });
  console.log(`${set === 'tuning' ? 'Tuning set (the vocabulary was written alongside it)' : 'Held-out set (written after the scorer was frozen; never tuned on)'}:`);
  console.log(`${corpus.length} table pairs, ${full.pairs} source columns (${full.expectedNoMatch} with no right target), threshold ${threshold}\n`);
  console.log(`${'signals'.padEnd(28)}${'top-1'.padStart(8)}${'top-3'.padStart(8)}${'right'.padStart(7)}${'flagged'.padStart(9)}${'wrong'.padStart(7)}`);
  line('names, types and values', full);
  line('names and types', evaluateFieldMapping(corpus, { threshold, strip: 'values' }));
  line('names only', evaluateFieldMapping(corpus, { threshold, strip: 'values-and-types' }));
  const misses = full.outcomes.filter((o) => o.verdict !== 'right');
  if (misses.length) console.log('\nmisses (names, types and values):');
  for (const o of misses) console.log(`  ${o.verdict.padEnd(8)} ${o.file.replace(/\.json$/, '')}: ${o.source} -> ${o.got ?? 'no match'} (expected ${o.expected ?? 'no match'}; top 3: ${o.top3.join(', ')})`);
  console.log('');
}
console.log('flagged: no match offered where the set has one; wrong: another target, or a target where the set has none');
