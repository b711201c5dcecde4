#!/usr/bin/env node
// Runs the test files (*.test.ts) under the given folders, or under src/, test/
// and web/src by default (test/browser drives Chromium), with Node's own test
// runner and tsx for TypeScript.
//
// A test file that needs something the machine lacks (a PostgreSQL server,
// its logical replication, MariaDB, Chromium) skips, or fails under CI=true
// or SLUICE_REQUIRE_ALL=1, and reports it to the file SLUICE_TEST_SKIP_LOG
// names. This runner prints one line per missing prerequisite at the end,
// with the command that provides it, however many files it affected.
//
// Nothing hangs the run: a test, and a test file as a whole, fails after
// --test-timeout (below; a later --test-timeout=... flag overrides it), and
// a file whose process stays alive after its tests have ended fails with its
// name and what it left open (scripts/test-file-guard.mjs).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The longest a test, or a whole test file (Node's runner gives both the same
 * limit), may take before it fails: well above the slowest file, the browser
 * checks of every page at two sizes (about 3.5 minutes on a busy 2-core machine).
 */
const testTimeoutMs = 10 * 60_000;
const fileGuard = fileURLToPath(new URL('./test-file-guard.mjs', import.meta.url));

const roots = process.argv.slice(2).filter((a) => !a.startsWith('--'));
const flags = process.argv.slice(2).filter((a) => a.startsWith('--'));

function find(entry) {
  const stat = statSync(entry, { throwIfNoEntry: false });
  if (!stat) return [];
  if (stat.isFile()) return entry.endsWith('.test.ts') ? [entry] : [];
  return readdirSync(entry)
    .filter((name) => name !== 'node_modules' && !name.startsWith('.'))
    .flatMap((name) => find(path.join(entry, name)));
}

const files = (roots.length ? roots : ['src', 'test', 'web/src']).flatMap(find).sort();
if (!files.length) {
  console.error('no test files found');
  process.exit(1);
}
const logDir = mkdtempSync(path.join(os.tmpdir(), 'sluice-test-prerequisites-'));
const skipLog = path.join(logDir, 'missing.jsonl');
const result = spawnSync(
  process.execPath,
  [
    '--import',
    'tsx',
    '--import',
    fileGuard,
    '--test',
    '--test-reporter=spec',
    '--test-concurrency=2',
    `--test-timeout=${testTimeoutMs}`,
    ...flags,
    ...files,
  ],
  { stdio: 'inherit', env: { ...process.env, SLUICE_TEST_SKIP_LOG: skipLog } },
);
const reports = readFileSync(skipLog, { encoding: 'utf8', flag: 'a+' }).split('\n').filter(Boolean).map((line) => JSON.parse(line));
rmSync(logDir, { recursive: true, force: true });
if (reports.length) {
  // The line's wording lives with the checks, in TypeScript.
  const { register } = await import('tsx/esm/api');
  register();
  const { describeMissing } = await import('../src/testing/require-prerequisites.ts');
  console.error('');
  for (const name of new Set(reports.map((r) => r.name))) {
    const same = reports.filter((r) => r.name === name);
    console.error(describeMissing(same[0], new Set(same.map((r) => r.file)).size));
  }
}
process.exit(result.status ?? 1);
