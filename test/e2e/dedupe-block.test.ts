import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { generateDuplicates, scorePairs } from '../corpus/generate-duplicates.ts';
import { sluice, tempDir, writeProject } from './cli-helpers.ts';

const pipeline = (match: string): string => `blocks:
  - name: raw_people
    connector: file
    settings: { path: data/people.csv, columns: { zip: VARCHAR } }
  - name: people
    upstream: [raw_people]
    dedupe:
      columns:
        name: { similarity: jaro_winkler, weight: 2, sort_tokens: true }
        street: jaro_winkler
        email: levenshtein
      blocking: [zip, email]
      match: ${match}
      review: 0.75
      show: [id]
  - name: export_people
    upstream: [people]
    connector: file
    settings: { path: out/people.csv }
  - name: export_review
    upstream: [people__review]
    connector: file
    settings: { path: out/review.csv }
`;

/** A CSV field, quoted; a missing value stays empty. */
const field = (value: unknown): string => (value === null ? '' : `"${String(value).replace(/"/g, '""')}"`);

describe('a no-code dedupe block run by sluice run', () => {
  const { dir, cleanup } = tempDir('sluice-dedupe-');
  after(cleanup);
  const records = generateDuplicates({ entities: 300, duplicateShare: 0.3, zips: 20, seed: 7 });
  before(() =>
    writeProject(dir, {
      'sluice.yaml': 'name: dedupe\n',
      'data/people.csv': ['id,entity,name,street,city,zip,email', ...records.map((r) => [r.id, r.entity, r.name, r.street, r.city, r.zip, r.email].map(field).join(',')), ''].join('\n'),
      'pipelines/people.yaml': pipeline('0.9'),
      'pipelines/bad.yaml': pipeline('high'),
    }),
  );

  it('writes every row with its cluster id, and the borderline pairs to the review block, from real files', async () => {
    const r = await sluice(dir, ['run', 'people']);
    assert.equal(r.code, 0, r.stderr + r.stdout);
    assert.match(r.stdout, /✓ people +transformer +\d+ in → \d+ out .* \d+ rows in \d+ clusters of duplicates, \d+ pairs matched, \d+ to review\n/);
    assert.match(r.stdout, /✓ people__review +transformer +\d+ in → \d+ out .* \d+ pairs to review\n/);
    const lines = readFileSync(path.join(dir, 'out/people.csv'), 'utf8').trim().split('\n');
    assert.equal(lines[0], 'id,entity,name,street,city,zip,email,cluster_id');
    assert.equal(lines.length - 1, records.length);
    const clusterIds = lines.slice(1).map((line) => Number(line.slice(line.lastIndexOf(',') + 1)) - 1);
    const { precision, recall } = scorePairs(records, clusterIds);
    assert.ok(precision >= 0.97 && recall >= 0.95, `precision ${precision}, recall ${recall}`);
    const review = readFileSync(path.join(dir, 'out/review.csv'), 'utf8').trim().split('\n');
    assert.equal(review[0], 'left_row,right_row,score,left_cluster_id,right_cluster_id,id_left,id_right,name_left,name_right,name_similarity,street_left,street_right,street_similarity,email_left,email_right,email_similarity');
    assert.ok(review.length > 1, 'some pairs are borderline');
  });

  it('refuses bad settings in validate and in run, naming file and line', async () => {
    const validate = await sluice(dir, ['validate']);
    assert.notEqual(validate.code, 0);
    assert.match(validate.stdout + validate.stderr, /pipelines\/bad\.yaml:13.*dedupe: match: /);
    const run = await sluice(dir, ['run', 'bad']);
    assert.equal(run.code, 2, run.stderr + run.stdout);
    assert.match(run.stdout + run.stderr, /pipelines\/bad\.yaml:13.*dedupe: match: /);
  });
});
