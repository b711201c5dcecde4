import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { generateDuplicates } from '../../../test/corpus/generate-duplicates.ts';
import { createDuckDbDataPlane } from '../../core/data-plane/duckdb-data-plane.ts';
import type { DataPlane, DataPlaneSession, StoredOutput } from '../../core/data-plane/data-plane.ts';
import { SluiceError } from '../../core/errors.ts';
import { loadPipeline } from '../../core/pipeline/load-pipeline.ts';
import type { DedupeBlock } from '../../core/pipeline/pipeline.ts';
import type { BlockRunContext } from '../../core/run/block-runner.ts';
import { createLogger } from '../../core/run/logger.ts';
import { checkDedupeBlock, runDedupeBlock } from './dedupe-block-runner.ts';
import { findDuplicates } from './find-duplicates.ts';
import { pairDecisionsFile, recordPairDecisions, sideValue } from './pair-decisions.ts';
import { peopleSettings } from './find-duplicates.test.ts';

const peopleYaml = `      columns:
        name: { similarity: jaro_winkler, weight: 2, sort_tokens: true }
        street: jaro_winkler
        email: levenshtein
      blocking: [zip, email]
      match: 0.9
      review: 0.75
      show: [id]
`;

describe('the dedupe block runner', () => {
  const root = mkdtempSync(path.join(os.tmpdir(), 'sluice-dedupe-'));
  let dataPlane: DataPlane;
  let session: DataPlaneSession;
  let upstream: StoredOutput;
  const records = generateDuplicates({ entities: 300, duplicateShare: 0.3, zips: 20, seed: 7 });
  const write = (file: string, text: string): void => {
    mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
    writeFileSync(path.join(root, file), text);
  };
  const dedupeBlocks = (settings: string): DedupeBlock[] => {
    write('pipelines/p.yaml', `blocks:\n  - { name: people, file: blocks/raw.sql }\n  - name: unique_people\n    upstream: [people]\n    dedupe:\n${settings}`);
    return loadPipeline(root, 'p').blocks.filter((b): b is DedupeBlock => b.language === 'dedupe');
  };
  const warnings: string[] = [];
  let n = 0;
  const run = async (block: DedupeBlock) => {
    const context = {
      project: { root },
      pipeline: { name: 'p' },
      session,
      inputs: [{ name: 'people', output: upstream }],
      outputLocation: path.join(root, 'out', `${block.name}-${++n}.parquet`),
      tempDir: path.join(root, 'tmp', String(n)),
      signal: new AbortController().signal,
      logger: createLogger((level, message) => warnings.push(`${level}: ${message}`)),
    } as unknown as BlockRunContext;
    mkdirSync(context.tempDir, { recursive: true });
    return runDedupeBlock(block, context);
  };

  before(async () => {
    write('sluice.yaml', 'name: dedupe\n');
    write('blocks/raw.sql', 'select 1\n');
    mkdirSync(path.join(root, 'out'));
    dataPlane = await createDuckDbDataPlane({ tempDir: path.join(root, 'spill') });
    session = await dataPlane.openSession();
    async function* batches() {
      yield records.map((r) => ({ ...r }));
    }
    upstream = await session.storeRows(batches(), path.join(root, 'out', 'people.parquet'), { id: 'BIGINT', entity: 'BIGINT', zip: 'VARCHAR', email: 'VARCHAR' });
    await session.attach('people', upstream);
  });
  after(async () => {
    await session.close();
    await dataPlane.close();
    rmSync(root, { recursive: true, force: true });
  });

  it('adds a review block beside the dedupe block, reading the same upstream', () => {
    const blocks = dedupeBlocks(peopleYaml);
    assert.deepEqual(blocks.map((b) => [b.name, b.part, b.upstream, b.declaredName]), [
      ['unique_people', 'clusters', ['people'], 'unique_people'],
      ['unique_people__review', 'review', ['people'], 'unique_people'],
    ]);
    assert.equal(dedupeBlocks(peopleYaml.replace('      review: 0.75\n', '')).length, 1, 'without a review threshold there is nothing to review');
  });

  it('finds in the data plane the clusters and review pairs findDuplicates finds in memory', async () => {
    const [clusters, review] = dedupeBlocks(peopleYaml);
    const inMemory = findDuplicates(records, peopleSettings);
    const result = await run(clusters!);
    assert.equal(result.output!.rows, records.length);
    assert.deepEqual(result.output!.columns.map((c) => c.name), ['id', 'entity', 'name', 'street', 'city', 'zip', 'email', 'cluster_id']);
    assert.equal(result.summary, `${inMemory.report.duplicateRecords + inMemory.report.clusters} rows in ${inMemory.report.clusters} clusters of duplicates, ${inMemory.report.matchedPairs} pairs matched, ${inMemory.report.reviewPairs} to review`);
    await session.attach('clustered', result.output!);
    const rows = await session.query('SELECT id::INTEGER AS id, cluster_id::INTEGER AS cluster_id FROM clustered');
    assert.deepEqual(rows.map((r) => r.id), records.map((r) => r.id), 'rows keep their order');
    assert.deepEqual(rows.map((r) => Number(r.cluster_id) - 1), inMemory.clusterIds);

    const reviewed = await run(review!);
    assert.deepEqual(reviewed.output!.columns.map((c) => c.name), [
      'left_row', 'right_row', 'score', 'left_cluster_id', 'right_cluster_id', 'id_left', 'id_right',
      'name_left', 'name_right', 'name_similarity', 'street_left', 'street_right', 'street_similarity', 'email_left', 'email_right', 'email_similarity',
    ]);
    await session.attach('review', reviewed.output!);
    const pairs = await session.query('SELECT left_row::INTEGER - 1 AS l, right_row::INTEGER - 1 AS r, score, name_left, name_similarity FROM review');
    assert.deepEqual(
      pairs.map((p) => [p.l, p.r]).sort((a, b) => Number(a[0]) - Number(b[0]) || Number(a[1]) - Number(b[1])),
      inMemory.review.map((p) => [p.left, p.right]),
    );
    const scores = pairs.map((p) => Number(p.score));
    assert.deepEqual(scores, [...scores].sort((a, b) => b - a), 'best first');
    const first = inMemory.review.find((p) => p.left === pairs[0]!.l && p.right === pairs[0]!.r)!;
    assert.ok(Math.abs(first.score - scores[0]!) < 1e-9, `${first.score} vs ${scores[0]}`);
    assert.equal(pairs[0]!.name_left, records[Number(pairs[0]!.l)]!.name);
    assert.ok(Math.abs(Number(pairs[0]!.name_similarity) - first.similarities.name!) < 1e-9, `${String(pairs[0]!.name_similarity)} vs ${first.similarities.name}`);
  });

  it('warns of blocks too big to compare and says so in the summary', async () => {
    warnings.length = 0;
    const [clusters] = dedupeBlocks(peopleYaml.replace('      match: 0.9\n', '      match: 0.9\n      max_block_size: 20\n'));
    const result = await run(clusters!);
    assert.match(result.summary!, /; \d+ blocks over max_block_size not compared$/);
    assert.match(warnings.join('\n'), /^warn: \d+ blocks hold more than 20 rows \(\d+ rows in all\) and were not compared; add a blocking column or raise max_block_size$/m);
  });

  it('refuses bad settings and unknown or taken columns, naming file and line', async () => {
    const refusal = async (settings: string): Promise<SluiceError> => {
      const error = await run(dedupeBlocks(settings)[0]!).then(() => assert.fail('the block ran'), (e: unknown) => e);
      assert.ok(error instanceof SluiceError);
      return error;
    };
    const badSimilarity = await refusal(peopleYaml.replace('street: jaro_winkler', 'street: soundex'));
    assert.match(badSimilarity.message, /^dedupe: columns\.street: /);
    assert.deepEqual(badSimilarity.location, { file: path.join('pipelines', 'p.yaml'), line: 8, block: 'unique_people' });
    const noBlocking = await refusal(peopleYaml.replace('      blocking: [zip, email]\n', '      blocking: []\n'));
    assert.match(noBlocking.message, /blocking: name at least one blocking key/);
    assert.equal(noBlocking.location?.line, 10);
    const reviewAbove = await refusal(peopleYaml.replace('review: 0.75', 'review: 0.95'));
    assert.equal(reviewAbove.message, 'dedupe: review: review must not be above match');
    const unknown = await refusal(peopleYaml.replace('blocking: [zip, email]', 'blocking: [postcode]'));
    assert.equal(unknown.message, "dedupe: 'people' has no column 'postcode' (columns: id, entity, name, street, city, zip, email)");
    assert.equal(unknown.location?.line, 10);
    const taken = [{ name: 'name', type: 'VARCHAR' }, { name: 'street', type: 'VARCHAR' }, { name: 'email', type: 'VARCHAR' }, { name: 'zip', type: 'VARCHAR' }, { name: 'id', type: 'BIGINT' }, { name: 'cluster_id', type: 'BIGINT' }];
    assert.throws(() => checkDedupeBlock(dedupeBlocks(peopleYaml)[0]!, taken), (e: SluiceError) => e.code === 'dedupe.column_taken' && /'cluster_id'/.test(e.message));
  });

  it('uses the pairs decided in review: those decided the same join one cluster, and every decided pair leaves the review', async () => {
    const [clusters, review] = dedupeBlocks(peopleYaml);
    const before = await run(review!);
    await session.attach('review_before', before.output!);
    const pairs = await session.query(
      'SELECT left_row::INTEGER AS l, right_row::INTEGER AS r, name_left, name_right, street_left, street_right, email_left, email_right FROM review_before WHERE left_cluster_id <> right_cluster_id ORDER BY score DESC, l LIMIT 2',
    );
    assert.equal(pairs.length, 2);
    const side = (pair: Record<string, unknown>, which: 'left' | 'right') => Object.fromEntries(['name', 'street', 'email'].map((c) => [c, sideValue(pair[`${c}_${which}`])]));
    // The second pair is written right side first: a decision holds whichever row comes first.
    recordPairDecisions(root, 'p', 'unique_people', [
      { left: side(pairs[0]!, 'left'), right: side(pairs[0]!, 'right'), same: true },
      { left: side(pairs[1]!, 'right'), right: side(pairs[1]!, 'left'), same: false },
    ]);
    try {
      const after = await run(review!);
      assert.equal(after.output!.rows, before.output!.rows - 2);
      await session.attach('review_after', after.output!);
      const left = await session.query('SELECT left_row::INTEGER AS l, right_row::INTEGER AS r FROM review_after');
      for (const decided of pairs) assert.ok(!left.some((p) => p.l === decided.l && p.r === decided.r), `pair ${String(decided.l)}-${String(decided.r)} is still to review`);
      const clustered = await run(clusters!);
      assert.match(clustered.summary!, /; 2 pairs decided in review$/);
      await session.attach('clustered_after', clustered.output!);
      const ids = await session.query('SELECT cluster_id::INTEGER AS c FROM (SELECT *, row_number() OVER () AS n FROM clustered_after) WHERE n IN ($1, $2) ORDER BY n', [pairs[0]!.l, pairs[0]!.r]);
      assert.equal(ids.length, 2);
      assert.equal(ids[0]!.c, ids[1]!.c, 'the pair decided the same is one cluster');
    } finally {
      rmSync(path.join(root, pairDecisionsFile('p', 'unique_people')), { force: true });
    }
  });

  it('refuses a dedupe block without exactly one upstream, or with a file too, when the pipeline loads', () => {
    write('pipelines/two.yaml', 'blocks:\n  - { name: a, file: blocks/raw.sql }\n  - { name: b, file: blocks/raw.sql }\n  - name: d\n    upstream: [a, b]\n    dedupe: { columns: { x: exact }, blocking: [y], match: 1 }\n');
    assert.throws(() => loadPipeline(root, 'two'), (e: SluiceError) => e.code === 'block.dedupe_upstream' && e.location?.line === 5);
    write('pipelines/both.yaml', 'blocks:\n  - { name: a, file: blocks/raw.sql }\n  - name: d\n    upstream: [a]\n    file: blocks/raw.sql\n    dedupe: { columns: { x: exact }, blocking: [y], match: 1 }\n');
    assert.throws(() => loadPipeline(root, 'both'), (e: SluiceError) => e.code === 'block.ambiguous');
  });
});
