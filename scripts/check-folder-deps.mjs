#!/usr/bin/env node
// Checks that the folders under src/ depend on each other one way only, as the
// table below says, and prints every import that breaks it as file:line. The
// file-level cycle check (madge) cannot see a cycle between folders whose files
// form no cycle, such as integration -> connectors/postgres -> integration.
//
//   node scripts/check-folder-deps.mjs           fails on a forbidden import
//   node scripts/check-folder-deps.mjs --edges   prints the folder graph too
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';

/**
 * The layers, lowest first. A folder may import its own files, the folders
 * its entry lists, and nothing else. Type-only imports count: a type names
 * the folder it lives in as surely as a value does.
 *
 * - core: the pipeline model, runner, data plane and the contracts (connector,
 *   sync destination, change capture) every other folder implements or asks.
 * - connectors/<kind>: one folder per connector; core and the shared pieces
 *   only. A connector never imports another connector.
 * - connectors (registry.ts): the list of connectors, one line each.
 * - connectors/testing: the conformance suites, which (like tests) may open
 *   any connector through the registry; only test files import them.
 * - integration, cdc: syncs, driven through the contract; they never name a
 *   connector. integration dispatches its cdc mode, so cdc sits below it.
 * - streaming: long-running pipelines from brokers to sinks, through the
 *   connector contract; like integration, it never names a connector.
 * - toolkit: pure cleaning functions (dates, phones, places...); core only.
 * - alerts: sends notifications of finished runs; core only.
 * - workspace: edits the project's files for the UI; core only.
 * - scheduler: decides when runs happen; core and alerts.
 * - executor: runs block runs elsewhere (a Redis queue to `sluice worker`
 *   processes, PostgreSQL as the truth); core only.
 * - server: the HTTP API; given its engine, so it names no connector either.
 * - engine: the composition root, the one place that takes the connector
 *   registry and the block runners (integration's syncs, toolkit's clean
 *   tools). Both entries compose through it, so it sits below them.
 * - library: Sluice inside a user's program (openProject); the engine and the
 *   alerts a run sends, nothing of the CLI or the server.
 * - cli: the command line, on the engine.
 * - . (src/index.ts): the public API: the block API, the toolkit and the library.
 * - testing: helpers for tests (prerequisites, waitFor), on core only.
 *
 * A test file composes what it tests, like a small composition root: it may
 * also import the test helpers and the connector registry.
 */
const connectorKinds = ['duckdb', 'files', 'mysql', 'postgres', 'rest', 'sqlite'].map((kind) => `connectors/${kind}`);
const rules = {
  core: [],
  testing: ['core'],
  'connectors/shared': ['core'],
  'connectors/testing': ['core', 'connectors/shared', 'connectors'],
  ...Object.fromEntries(connectorKinds.map((kind) => [kind, ['core', 'connectors/shared']])),
  connectors: ['core', ...connectorKinds],
  cdc: ['core'],
  integration: ['core', 'cdc'],
  streaming: ['core'],
  toolkit: ['core'],
  alerts: ['core'],
  workspace: ['core'],
  scheduler: ['core', 'alerts', 'streaming'],
  executor: ['core'],
  server: ['core', 'alerts', 'workspace', 'scheduler', 'executor', 'integration', 'cdc', 'streaming', 'toolkit'],
  engine: ['core', 'connectors', 'integration', 'executor', 'toolkit'],
  library: ['core', 'engine', 'alerts'],
  cli: ['core', 'engine', 'alerts', 'workspace', 'scheduler', 'executor', 'server', 'cdc', 'streaming', 'toolkit'],
  '.': ['core', 'toolkit', 'library'],
};
const testsMayAlsoImport = ['testing', 'connectors', 'connectors/testing'];

const root = path.resolve(import.meta.dirname, '..');
const src = path.join(root, 'src');

/** The folder a source file belongs to, as the rule table names it. */
function folderOf(file) {
  const parts = path.relative(src, file).split(path.sep);
  if (parts.length === 1) return '.';
  if (parts[0] === 'connectors' && parts.length > 2) return `connectors/${parts[1]}`;
  return parts[0];
}

function sourceFiles(dir) {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) return sourceFiles(full);
    return /\.tsx?$/.test(name) ? [full] : [];
  });
}

// Static imports and re-exports, dynamic import() of a literal, across lines.
const importPattern = /(?:\bimport\s*(?:type\s+)?(?:[^'"();]*?\bfrom\s*)?|\bexport\s*(?:type\s+)?[^'"();]*?\bfrom\s*|\bimport\s*\(\s*)['"](\.{1,2}\/[^'"]+)['"]/g;

const problems = [];
const edges = new Map();
for (const file of sourceFiles(src)) {
  const from = folderOf(file);
  const text = readFileSync(file, 'utf8');
  for (const match of text.matchAll(importPattern)) {
    const target = path.resolve(path.dirname(file), match[1]);
    if (!target.startsWith(src + path.sep)) continue;
    const to = folderOf(target);
    if (to === from) continue;
    const key = `${from} -> ${to}`;
    edges.set(key, (edges.get(key) ?? 0) + 1);
    const allowed = rules[from] && (file.endsWith('.test.ts') ? [...rules[from], ...testsMayAlsoImport] : rules[from]);
    if (allowed === undefined) {
      problems.push(`${path.relative(root, file)}: folder '${from}' has no entry in the rule table of scripts/check-folder-deps.mjs`);
      break;
    }
    if (!allowed.includes(to)) {
      const line = text.slice(0, match.index).split('\n').length;
      problems.push(`${path.relative(root, file)}:${line}: ${from} must not import ${to} ('${match[1]}')`);
    }
  }
}

if (process.argv.includes('--edges')) for (const [edge, count] of [...edges].sort()) console.log(`${edge} (${count})`);
if (problems.length) {
  console.error(`${problems.length} import${problems.length === 1 ? '' : 's'} against the folder layering:\n${problems.join('\n')}`);
  process.exit(1);
}
console.log(`folder layering holds (${edges.size} folder edges checked)`);
