/**
 * What profiling adds to a block that stores a large output: the time to
 * store a 7-column output (the block's own work, as a SQL block does it)
 * against the time to profile it, with the default memory limit.
 *
 *   npx tsx bench/profile-overhead.ts [rows]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createDuckDbDataPlane } from '../src/core/data-plane/duckdb-data-plane.ts';
import { eagerProfileRows, profileOutput } from '../src/core/quality/profile-output.ts';

const rows = Number(process.argv[2] ?? 5_000_000);
const dir = mkdtempSync(path.join(os.tmpdir(), 'sluice-profile-bench-'));
const plane = await createDuckDbDataPlane({ tempDir: path.join(dir, 'spill'), memoryLimit: '160MB' });
const session = await plane.openSession();
try {
  const block = `SELECT i AS order_id,
      CAST((i * 7919) % 100000 AS DECIMAL(12,2)) / 100 AS amount,
      ['north', 'south', 'east', 'west', 'online'][i % 5 + 1] AS region,
      'customer-' || ((i * 31) % 250000) AS customer,
      TIMESTAMP '2024-01-01' + to_seconds(i % 31536000) AS ordered_at,
      CASE WHEN i % 50 = 0 THEN NULL ELSE (i % 1000) / 7.0 END AS score,
      i % 3 = 0 AS returned
    FROM range(${rows}) r(i)`;
  const t0 = performance.now();
  const output = await session.storeQuery(block, path.join(dir, 'out.parquet'));
  const storeMs = performance.now() - t0;
  const profile = await profileOutput(session, output);
  const share = (profile.ms / storeMs) * 100;
  console.log(`rows ${output.rows.toLocaleString('en-US')}, columns ${output.columns.length}`);
  console.log(`block (store) ${Math.round(storeMs)} ms, profile ${profile.ms} ms: ${share.toFixed(1)}% of the block's time`);
  console.log(output.rows > eagerProfileRows ? `above ${eagerProfileRows.toLocaleString('en-US')} rows: profiled on first look, so storing adds nothing` : 'profiled as it is stored');
} finally {
  await plane.close();
  rmSync(dir, { recursive: true, force: true });
}
