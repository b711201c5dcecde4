import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { sluice, tempDir, writeProject } from './cli-helpers.ts';

const dictionary = `# Product categories, as the catalogue team keeps them.
values:
  Electronics: [Consumer Electronics] # feeds from the big supplier
  Home & Garden: []
  Toys & Games: [Toys]
`;

describe('a dictionary clean block, its review and the decisions written back', () => {
  const { dir, cleanup } = tempDir('sluice-dict-');
  after(cleanup);
  before(() =>
    writeProject(dir, {
      'sluice.yaml': 'name: shop\n',
      'dictionaries/categories.yaml': dictionary,
      'data/products.csv': ['id,category', '1,Electronics', '2,home and garden', '3,Electrnics', '4,Electrical', '5,Electrical', '6,Misc', '7,', ''].join('\n'),
      'pipelines/products.yaml': `blocks:
  - name: raw_products
    connector: file
    settings: { path: data/products.csv }
  - name: clean_products
    upstream: [raw_products]
    clean:
      category: { tool: dictionary, dictionary: categories, threshold: 0.85 }
  - name: export_products
    upstream: [clean_products]
    connector: file
    settings: { path: out/products.csv }
  - name: review_sheet
    upstream: [clean_products__review]
    file: blocks/review_sheet.sql
  - name: export_review
    upstream: [review_sheet]
    connector: file
    settings: { path: out/review.csv }
`,
      'blocks/review_sheet.sql': 'SELECT column_name, value, row_count, flag, best_candidate, best_score, candidates FROM clean_products__review ORDER BY row_count DESC, value\n',
    }),
  );
  const output = () => readFileSync(path.join(dir, 'out/products.csv'), 'utf8');

  it('maps what the dictionary knows, flags the rest for review and counts it in the run summary', async () => {
    const r = await sluice(dir, ['run', 'products']);
    assert.equal(r.code, 0, r.stderr + r.stdout);
    assert.match(r.stdout, /clean_products .* flagged: category 3; to review: 2 value\(s\) in 3 row\(s\)\n/);
    assert.match(r.stdout, /clean_products__review .* 2 value\(s\) to review in 3 row\(s\)\n/);
    const lines = output().split('\n');
    assert.equal(lines[0], 'id,category,category_flag,category_reason');
    assert.equal(lines[1], '1,Electronics,,');
    assert.equal(lines[2], '2,Home & Garden,,');
    assert.equal(lines[3], '3,Electronics,,"""Electrnics"" read as ""Electronics"" (similarity 0.91)"');
    assert.match(lines[4]!, /^4,,review,"""Electrical"" is not in dictionary 'categories' and under the 0.85 threshold; closest: ""Electronics"" \(0.64\)"$/);
    assert.match(lines[6]!, /^6,,review,/);
  });

  it('gives the values to review as a block other blocks read, one row per column and value', async () => {
    assert.equal(
      readFileSync(path.join(dir, 'out/review.csv'), 'utf8'),
      ['column_name,value,row_count,flag,best_candidate,best_score,candidates', 'category,Electrical,2,review,Electronics,0.636,Electronics (0.64)', 'category,Misc,1,review,,,', ''].join('\n'),
    );
  });

  it('lists the pending values, most rows first, with their closest values', async () => {
    const r = await sluice(dir, ['dict', 'review', 'categories']);
    assert.equal(r.code, 0, r.stderr + r.stdout);
    assert.match(r.stdout, /2 value\(s\) waiting for review against dictionaries\/categories\.yaml/);
    assert.match(r.stdout, /"Electrical" {2}2 row\(s\), review; closest: Electronics \(0\.64\) {2}in products\.clean_products\.category\n {2}"Misc" {2}1 row\(s\), review; closest: none/);
    const json = JSON.parse((await sluice(dir, ['dict', 'review', 'categories', '--json'])).stdout) as { value: string; count: number }[];
    assert.deepEqual(json.map((v) => [v.value, v.count]), [['Electrical', 2], ['Misc', 1]]);
  });

  it('writes decisions into the file, keeping its comments, and the next run maps them exactly', async () => {
    const bad = await sluice(dir, ['dict', 'review', 'categories', '--accept', 'Electrical=Electric']);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /the part after '=' is not a value of dictionaries\/categories\.yaml/);
    const r = await sluice(dir, ['dict', 'review', 'categories', '--accept', 'Electrical=Electronics', '--reject', 'Misc']);
    assert.equal(r.code, 0, r.stderr + r.stdout);
    assert.match(r.stdout, /recorded "Electrical" -> "Electronics" in dictionaries\/categories\.yaml/);
    assert.match(r.stdout, /nothing to review against dictionaries\/categories\.yaml/);
    assert.equal(readFileSync(path.join(dir, 'dictionaries/categories.yaml'), 'utf8'), `${dictionary}reviewed:\n  Electrical: Electronics\n  Misc: null\n`);

    const rerun = await sluice(dir, ['run', 'products']);
    assert.equal(rerun.code, 0, rerun.stderr + rerun.stdout);
    // Fewer flags raise the flag columns' null rates: the summary counts them, and it is no drift.
    assert.match(rerun.stdout, /clean_products .* flagged: category 1\n/);
    const drift = await sluice(dir, ['drift', 'products']);
    assert.equal(drift.stdout.trim(), 'no drift recorded for products', drift.stderr);
    const lines = output().split('\n');
    assert.equal(lines[4], '4,Electronics,,');
    assert.equal(lines[5], '5,Electronics,,');
    assert.equal(lines[6], `6,,unrecognised,"""Misc"" was reviewed as no value of dictionary 'categories'"`);
    assert.match(rerun.stdout, /clean_products__review .* 0 value\(s\) to review in 0 row\(s\)\n/);
    assert.equal(readFileSync(path.join(dir, 'out/review.csv'), 'utf8').split('\n').filter(Boolean).length, 1, 'only the header: nothing left to review');
  });

  it('refuses a broken dictionary in validate and run, naming its file and line', async () => {
    writeFileSync(path.join(dir, 'dictionaries/categories.yaml'), `${dictionary}  Gadgets: [toys]\n`);
    const validate = await sluice(dir, ['validate']);
    assert.notEqual(validate.code, 0);
    assert.match(validate.stdout + validate.stderr, /dictionaries\/categories\.yaml:6:\d+: 'toys' is written like 'Toys & Games' and so cannot also stand for 'Gadgets'/);
    const run = await sluice(dir, ['run', 'products']);
    assert.equal(run.code, 2, run.stderr + run.stdout);
    assert.match(run.stdout + run.stderr, /dictionaries\/categories\.yaml:6:\d+, block 'clean_products': 'toys' is written like/);
  });
});
