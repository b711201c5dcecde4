import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { connectors } from '../../connectors/registry.ts';
import type { DataPlane } from '../data-plane/data-plane.ts';
import { createDuckDbDataPlane } from '../data-plane/duckdb-data-plane.ts';
import { listPipelines, loadPipeline } from '../pipeline/load-pipeline.ts';
import { loadProject } from '../project/load-project.ts';
import { loadProjectLineage } from './load-project-lineage.ts';
import { matchesPiiRule, piiColumns, type PiiColumns } from './pii-columns.ts';

const files: Record<string, string> = {
  'sluice.yaml': 'name: crm\npii:\n  columns: ["*_phone"]\n',
  'pipelines/people.yaml': [
    'blocks:',
    '  - { name: raw, file: blocks/raw.ts, pii: [email] }',
    '  - { name: orders, file: blocks/orders.ts }',
    '  - { name: contacts, file: blocks/contacts.sql, upstream: [raw, orders] }',
    '  - { name: land, role: exporter, connection: warehouse, upstream: [contacts], settings: { table: contacts } }',
    '',
  ].join('\n'),
  'blocks/raw.ts': "export default () => [{ id: 1, email: 'a@b.c', home_phone: '1' }];\n",
  'blocks/orders.ts': 'export default () => [{ person: 1, amount: 3 }];\n',
  // Through a CTE and a join, renamed twice.
  'blocks/contacts.sql': 'WITH j AS (SELECT p.email AS e, p.home_phone, o.amount FROM raw p JOIN orders o ON o.person = p.id) SELECT e AS contact, home_phone AS phone, amount FROM j\n',
  'pipelines/mailing.yaml': 'blocks:\n  - { name: reach, file: blocks/reach.sql, connection: warehouse }\n',
  'blocks/reach.sql': 'SELECT upper(contact) AS address, amount FROM contacts\n',
};

let root: string;
let plane: DataPlane;
let pii: PiiColumns;

before(async () => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'sluice-pii-'));
  for (const [name, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(root, name)), { recursive: true });
    fs.writeFileSync(path.join(root, name), text);
  }
  plane = await createDuckDbDataPlane({ tempDir: path.join(root, '.sluice', 'spill') });
  const session = await plane.openSession();
  const project = loadProject(root);
  const report = await loadProjectLineage({ project, connectors, session });
  await session.close();
  pii = piiColumns(report.graph, listPipelines(root).map((name) => loadPipeline(root, name)), project.settings.pii.columns);
});

after(async () => {
  await plane.close();
  fs.rmSync(root, { recursive: true, force: true });
});

const of = (node: string) => [...(pii.get(node) ?? [])].sort();

describe('personal-data columns', () => {
  it('matches project rules by name or pattern, without regard to case', () => {
    assert.ok(matchesPiiRule('Home_Phone', ['*_phone']));
    assert.ok(matchesPiiRule('email', ['email']));
    assert.ok(!matchesPiiRule('phone_count', ['*_phone']));
    assert.ok(!matchesPiiRule('emails', ['email']));
  });

  it('carries a block mark through a CTE, a join and renames, and leaves other columns unmarked', () => {
    assert.deepEqual(of('block:people/raw'), ['email']);
    assert.ok(pii.get('block:people/contacts')!.has('contact'));
    assert.ok(!pii.get('block:people/contacts')!.has('amount'));
  });

  it('marks a column whose source a project rule names, under its new name, and its exported copy', () => {
    // `phone` comes from `home_phone`, which the `*_phone` rule names.
    assert.deepEqual(of('block:people/contacts'), ['contact', 'phone']);
    assert.deepEqual(of('block:people/land'), ['contact', 'phone']);
  });

  it('follows a written table into another pipeline that reads it', () => {
    assert.deepEqual(of('block:mailing/reach'), ['address']);
  });
});
