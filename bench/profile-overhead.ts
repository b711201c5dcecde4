/**
 * What profiling adds to a block that stores a large output: one SQL block
 * producing a 7-column output (the block's own work, as a SQL block does it),
 * run with and without its profile in the same process, alternately, so the
 * machine's load weighs on both alike. "With" does what a run does
 * (profileAtStore): the profile over every row up to `eagerProfileRows`,
 * above it the one from the file's statistics, a scan of its number columns
 * and a sample of its row groups. Prints each repetition, the median share the
 * profile adds to the block's time, and what a profile over every row would add.
 *
 *   npm run bench:profile [-- --rows 5000000 --repeats 3]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { createDuckDbDataPlane } from '../src/core/data-plane/duckdb-data-plane.ts';
import { profileAtStore } from '../src/core/quality/profile-from-sample.ts';
import { profileOutput } from '../src/core/quality/profile-output.ts';

const { values } = parseArgs({ options: { rows: { type: 'string', default: '5000000' }, repeats: { type: 'string', default: '3' } } });
const rows = Number(values.rows);
const repeats = Number(values.repeats);
const dir = mkdtempSync(path.join(os.tmpdir(), 'sluice-profile-bench-'));
const plane = await createDuckDbDataPlane({ tempDir: path.join(dir, 'spill'), memoryLimit: '160MB' });
const session = await plane.openSession();
const block = `SELECT i AS order_id,
    CAST((i * 7919) % 100000 AS DECIMAL(12,2)) / 100 AS amount,
    ['north', 'south', 'east', 'west', 'online'][i % 5 + 1] AS region,
    'customer-' || ((i * 31) % 250000) AS customer,
    TIMESTAMP '2024-01-01' + to_seconds(i % 31536000) AS ordered_at,
    CASE WHEN i % 50 = 0 THEN NULL ELSE (i % 1000) / 7.0 END AS score,
    i % 3 = 0 AS returned
  FROM range(${rows}) r(i)`;
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;

/** One run of the block; with `profiled`, its output is profiled as the executor does once it is stored. */
async function runBlock(run: number, profiled: boolean): Promise<{ blockMs: number; profileMs: number; fullMs: number }> {
  const t0 = performance.now();
  const output = await session.storeQuery(block, path.join(dir, `out-${run}-${profiled ? 'p' : 'n'}.parquet`));
  const profileMs = profiled ? (await profileAtStore(session, output)).ms : 0;
  const blockMs = performance.now() - t0;
  // The profile over every row, timed apart: what the store-time profile spares.
  const fullMs = profiled ? (await profileOutput(session, output)).ms : 0;
  return { blockMs, profileMs, fullMs };
}

try {
  console.log(`profile overhead: one SQL block storing ${rows.toLocaleString('en-US')} rows x 7 columns, ${repeats} repetitions, load ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  const shares: number[] = [];
  const profileShares: number[] = [];
  const fullShares: number[] = [];
  for (let run = 0; run < repeats; run++) {
    // Alternate which goes first, so a warming cache or a passing load spike favours neither.
    const [a, b] = run % 2 ? [true, false] : [false, true];
    const first = await runBlock(run, a);
    const second = await runBlock(run, b);
    const [without, withProfile] = a ? [second, first] : [first, second];
    const share = ((withProfile.blockMs - without.blockMs) / without.blockMs) * 100;
    // The profile's own time against the block without it: the same share, without the noise of two separate stores.
    const profileShare = (withProfile.profileMs / without.blockMs) * 100;
    shares.push(share);
    profileShares.push(profileShare);
    fullShares.push((withProfile.fullMs / without.blockMs) * 100);
    console.log(`  run ${run + 1}: without ${Math.round(without.blockMs)} ms, with profile ${Math.round(withProfile.blockMs)} ms: +${share.toFixed(1)}% (the profile itself ${withProfile.profileMs} ms, ${profileShare.toFixed(1)}%; a profile over every row ${withProfile.fullMs} ms)`);
  }
  console.log(`median: profiling adds ${median(shares).toFixed(1)}% to the block's time; the profile itself takes ${median(profileShares).toFixed(1)}% of it; a profile over every row would take ${median(fullShares).toFixed(1)}% (load ${os.loadavg().map((l) => l.toFixed(2)).join(' ')})`);
} finally {
  await plane.close();
  rmSync(dir, { recursive: true, force: true });
}
