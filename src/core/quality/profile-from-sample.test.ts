import assert from 'node:assert/strict';
import path from 'node:path';
import { before, describe, it } from 'node:test';
import type { StoredOutput } from '../data-plane/data-plane.ts';
import { useDataPlaneSession } from '../../testing/data-plane-session.ts';
import { pickEvenly, profileAtStore, profileFromSample, sampledRowGroups } from './profile-from-sample.ts';
import type { OutputProfile } from './profile-output.ts';

const plane = useDataPlaneSession('sluice-profile-sample-');
/** The stated error of the sampled distinct counts on this data. */
const tolerance = 0.1;

describe('profileFromSample', () => {
  let output: StoredOutput;
  let profile: OutputProfile;
  let exact: Record<string, unknown>;
  before(async () => {
    // 1M rows: a unique id, 50,000 values spread at random, 50,000 values each in one run of 20 rows (as sorted data clusters),
    // five regions, an amount with nulls, and a list column.
    output = await plane.session.storeQuery(
      `SELECT i AS id, hash(i) % 50000 AS scattered, i // 20 AS clustered, ['north', 'south', 'east', 'west', 'online'][i % 5 + 1] AS region,
         CASE WHEN i % 9 = 0 THEN NULL ELSE (i % 1000) / 4.0 END AS amount, [i, i] AS pair
       FROM range(1000000) r(i)`,
      path.join(plane.dir, 'million.parquet'),
    );
    profile = await profileFromSample(plane.session, output);
    [exact = {}] = await plane.session.query(
      `SELECT count(DISTINCT scattered) AS scattered, count(DISTINCT clustered) AS clustered, avg(amount) AS mean, avg(id) AS "idMean", count(*) FILTER (WHERE amount IS NULL) AS nulls
       FROM read_parquet($1)`,
      [output.location],
    );
  });

  const column = (name: string) => profile.columns.find((c) => c.name === name)!;
  const within = (name: string, truth: number) => {
    const estimate = column(name).approxDistinct!;
    assert.ok(Math.abs(estimate - truth) / truth <= tolerance, `${name}: estimated ${estimate}, truly ${truth}`);
  };

  it('says it was sampled, and how: whole row groups spread over the file, distinct values by Duj1', () => {
    assert.equal(profile.rows, 1_000_000);
    assert.ok(profile.sample, 'a sampled profile carries its sample');
    assert.equal(profile.sample.rowGroups, sampledRowGroups);
    assert.ok(profile.sample.ofRowGroups >= 8, String(profile.sample.ofRowGroups));
    assert.ok(profile.sample.rows > 0 && profile.sample.rows < 1_000_000, String(profile.sample.rows));
    assert.equal(profile.sample.distinctEstimator, 'duj1-row-groups');
    assert.equal(profile.partial, undefined);
    assert.equal(profile.deferred, undefined);
  });

  it(`estimates distinct values within ${tolerance * 100}%, for a unique column, scattered values and clustered ones`, () => {
    within('id', 1_000_000);
    within('scattered', Number(exact.scattered));
    within('clustered', Number(exact.clustered));
    assert.equal(column('region').approxDistinct, 5);
  });

  it('keeps rows, nulls, min, max and the mean exact', () => {
    assert.equal(column('amount').nulls, Number(exact.nulls));
    assert.equal(column('amount').min, 0);
    assert.equal(column('amount').max, 249.75);
    assert.ok(Math.abs(column('amount').mean! - Number(exact.mean)) < 1e-9);
    assert.ok(Math.abs(column('id').mean! - Number(exact.idMean)) < 1e-6);
    assert.equal(column('pair').nulls, 0);
    assert.equal(column('pair').approxDistinct, undefined);
  });

  it("counts top values and histogram bars over the sample's rows", () => {
    const regions = column('region').topValues!;
    assert.deepEqual(regions.map((v) => v.value).sort(), ['east', 'north', 'online', 'south', 'west']);
    assert.equal(regions.reduce((sum, v) => sum + v.count, 0), profile.sample!.rows);
    const bars = column('id').histogram!;
    assert.equal(bars.length, 10);
    assert.equal(bars[0]!.from, 0);
    assert.equal(bars.at(-1)!.to, 999_999);
    assert.equal(bars.reduce((sum, b) => sum + b.count, 0), profile.sample!.rows);
  });

  it('leaves an output up to the eager size to the profile over every row', async () => {
    const small = await plane.session.storeQuery('SELECT i AS id FROM range(1000) r(i)', path.join(plane.dir, 'small.parquet'));
    const kept = await profileAtStore(plane.session, small);
    assert.equal(kept.sample, undefined);
    assert.equal(kept.columns[0]!.approxDistinct, 1000);
    assert.ok((await profileAtStore(plane.session, output)).sample);
  });
});

describe('pickEvenly', () => {
  const groups = Array.from({ length: 41 }, (_, i) => ({ id: i, first: i * 100, rows: 100 }));
  it('spreads its picks over the whole file', () => {
    assert.deepEqual(pickEvenly(groups, 4).map((g) => g.first / 100), [5, 15, 25, 35]);
  });
  it('takes every group when there are no more than it wants', () => {
    assert.equal(pickEvenly(groups.slice(0, 3), 4).length, 3);
  });
});
