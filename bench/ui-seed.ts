import path from 'node:path';
import Database from 'better-sqlite3';
import { SqliteRunStore } from '../src/core/run-store/sqlite-run-store.ts';
import { triggerKinds } from '../src/core/run/run-triggers.ts';

const statuses = ['succeeded', 'succeeded', 'succeeded', 'failed', 'cancelled'] as const;

/**
 * Fills a project's run store with `count` finished runs of several
 * pipelines and triggers, a backfill of 30 dates in every 500 runs, and
 * `charted` runs of the pipeline `charted` with rows for each of its blocks.
 * Written in one transaction straight into the store's tables: the store
 * itself (opened first) creates them, and a run at a time would take minutes.
 */
export async function seedRunStore(projectDir: string, count: number, charted: { runs: number; blocks: readonly string[] }): Promise<void> {
  const file = path.join(projectDir, '.sluice/sluice.db');
  await new SqliteRunStore(file).close();
  const db = new Database(file);
  try {
    const run = db.prepare(
      `INSERT INTO runs (id, pipeline, status, pipeline_version, logical_date, variables, trigger, started_at, ended_at, backfill_id)
       VALUES (?, ?, ?, 'v', ?, '{}', ?, ?, ?, ?)`,
    );
    const block = db.prepare(`INSERT INTO block_runs (run_id, block, status, started_at, ended_at, rows_in, rows_out) VALUES (?, ?, 'succeeded', ?, ?, ?, ?)`);
    const base = Date.UTC(2026, 0, 1);
    db.transaction(() => {
      for (let i = 0; i < count; i++) {
        const started = base + i * 60_000;
        const inBackfill = i % 500 < 30;
        const trigger = inBackfill ? 'backfill' : triggerKinds[i % triggerKinds.length]!;
        const day = new Date(base - (i % 500) * 86_400_000).toISOString().slice(0, 10);
        run.run(`bench-${i}`, `pipeline_${i % 7}`, statuses[i % statuses.length], inBackfill ? day : null, trigger, new Date(started).toISOString(), new Date(started + 5_000 + (i % 13) * 1000).toISOString(), inBackfill ? `bf-${Math.floor(i / 500)}` : null);
      }
      for (let i = 0; i < charted.runs; i++) {
        const started = base + (count + i) * 60_000;
        const id = `charted-${i}`;
        run.run(id, 'charted', i % 9 === 4 ? 'failed' : 'succeeded', null, 'schedule', new Date(started).toISOString(), new Date(started + 20_000 + (i % 5) * 4_000).toISOString(), null);
        charted.blocks.forEach((name, b) => block.run(id, name, new Date(started).toISOString(), new Date(started + 4_000).toISOString(), null, 1_000_000 * (b + 1) + i * 1000));
      }
    })();
  } finally {
    db.close();
  }
}
