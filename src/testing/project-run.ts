import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before } from 'node:test';
import type { DataPlane } from '../core/data-plane/data-plane.ts';
import { createDuckDbDataPlane } from '../core/data-plane/duckdb-data-plane.ts';
import { ConfigError } from '../core/errors.ts';
import type { BlockRunners } from '../core/run/block-runner.ts';
import { SqliteRunStore } from '../core/run-store/sqlite-run-store.ts';

/**
 * A project of `files` (path to content) in a temporary folder, with its run
 * store and data plane, for the tests of one file; removed afterwards. Call
 * at the top of a test file; read the fields inside the tests, once `before` has run.
 */
export function useProjectRun(prefix: string, files: Readonly<Record<string, string>>): { readonly root: string; readonly store: SqliteRunStore; readonly dataPlane: DataPlane } {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  let store: SqliteRunStore | undefined;
  let dataPlane: DataPlane | undefined;
  before(async () => {
    for (const [file, content] of Object.entries(files)) {
      fs.mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
      fs.writeFileSync(path.join(root, file), content);
    }
    store = new SqliteRunStore(path.join(root, '.sluice', 'sluice.db'));
    dataPlane = await createDuckDbDataPlane({ tempDir: path.join(root, '.sluice', 'spill') });
  });
  after(async () => {
    await dataPlane?.close();
    await store?.close();
    fs.rmSync(root, { recursive: true, force: true });
  });
  return {
    root,
    get store() {
      if (!store) throw new Error('the run store opens in before()');
      return store;
    },
    get dataPlane() {
      if (!dataPlane) throw new Error('the data plane opens in before()');
      return dataPlane;
    },
  };
}

/** Block runners for a test that runs only the languages in `runners`: any other block fails with a config error naming it. */
export function onlyRunners(runners: Partial<BlockRunners>): BlockRunners {
  const refuse = (language: string) => async (block: { readonly name: string }) => {
    throw new ConfigError(`test.no_${language}`, `this test runs no ${language} block ('${block.name}')`);
  };
  return {
    ts: refuse('ts'),
    sql: refuse('sql'),
    connector: refuse('connector'),
    sync: refuse('sync'),
    clean: refuse('clean'),
    prepare: refuse('prepare'),
    dedupe: refuse('dedupe'),
    stream_lag: refuse('stream_lag'),
    examples: refuse('examples'),
    ...runners,
  } satisfies BlockRunners;
}
