import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { connectors } from '../../connectors/registry.ts';
import type { DataPlane, DataPlaneSession } from '../data-plane/data-plane.ts';
import { createDuckDbDataPlane } from '../data-plane/duckdb-data-plane.ts';
import { loadProject } from '../project/load-project.ts';
import { nodeLabel, type LineageGraph } from './lineage-graph.ts';
import { loadProjectLineage, type ProjectLineageReport } from './load-project-lineage.ts';
import { columnOrigins, findDatasets, traceLineage, type TraceStep } from './trace-lineage.ts';

const yaml = (...lines: string[]): string => `${lines.join('\n')}\n`;

/**
 * A shop: `orders` loads from PostgreSQL and lands a clean table in the
 * warehouse; `refunds` is an integration that copies refunds; `corrections`
 * (forgotten) rewrites the clean table with an ELT SQL block; two TypeScript
 * blocks declare that they write an audit table, which has an owner.
 */
const files: Record<string, string> = {
  'sluice.yaml': yaml('name: shop', 'tables:', '  warehouse.audit:', '    owner: orders'),
  'connections.yaml': yaml('connections:', '  shop:', '    connector: postgres', '    url: ${SHOP_PG_URL}'),
  'pipelines/orders.yaml': yaml(
    'blocks:',
    '  - { name: raw_orders, role: loader, connection: shop, settings: { table: public.orders } }',
    '  - { name: customers, role: loader, connection: shop, settings: { query: "SELECT id, name FROM public.customers WHERE active" } }',
    '  - { name: clean_orders, file: blocks/clean_orders.sql, upstream: [raw_orders, customers] }',
    '  - { name: export, role: exporter, connection: warehouse, upstream: [clean_orders], settings: { table: orders_clean, mode: replace } }',
    '  - { name: audit, file: blocks/audit.ts, upstream: [clean_orders], reads: [shop.public.audit_rules], writes: [warehouse.audit] }',
    '  - { name: tidy, upstream: [clean_orders], clean: { customer: { tool: us_states } } }',
  ),
  'blocks/clean_orders.sql': 'SELECT o.id AS order_id, c.name AS customer, o.amount * 100 AS cents FROM raw_orders o JOIN customers c ON o.customer_id = c.id\n',
  'blocks/audit.ts': 'export default () => [];\n',
  'pipelines/refunds.yaml': yaml(
    'kind: integration',
    'source: shop',
    'destination: warehouse',
    'streams:',
    '  - { table: public.refunds, mode: full_refresh }',
    '  - { name: big_refunds, query: "SELECT * FROM public.refunds WHERE amount > 1000", mode: full_refresh }',
  ),
  'pipelines/corrections.yaml': yaml(
    'blocks:',
    '  - { name: corrected, file: blocks/corrected.sql, connection: warehouse }',
    '  - { name: rewrite, role: exporter, connection: warehouse, upstream: [corrected], settings: { table: orders_clean, mode: replace } }',
    '  - { name: audit, file: blocks/audit.ts, writes: [warehouse.audit] }',
  ),
  'blocks/corrected.sql': 'SELECT c.order_id, c.customer, c.cents - coalesce(r.amount, 0) * 100 AS cents FROM orders_clean c LEFT JOIN refunds r USING (order_id)\n',
};

let root: string;
let plane: DataPlane;
let session: DataPlaneSession;
let report: ProjectLineageReport;

before(async () => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'sluice-lineage-'));
  for (const [name, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(root, name)), { recursive: true });
    fs.writeFileSync(path.join(root, name), text);
  }
  plane = await createDuckDbDataPlane({ tempDir: path.join(root, '.sluice', 'spill') });
  session = await plane.openSession();
  report = await loadProjectLineage({ project: loadProject(root), connectors, session });
});

after(async () => {
  await plane.close();
  fs.rmSync(root, { recursive: true, force: true });
});

/** Edges as `from -> to` in people's words. */
function flows(graph: LineageGraph): string[] {
  const labels = new Map(graph.nodes.map((n) => [n.id, nodeLabel(n)]));
  return graph.edges.map((e) => `${labels.get(e.from)} -> ${labels.get(e.to)}`).sort();
}

const names = (steps: readonly TraceStep[]): string[] => steps.flatMap((s) => [nodeLabel(s.node), ...names(s.next)]);

describe('project lineage', () => {
  it('links blocks, connector settings, SQL, integration streams and declared reads and writes', () => {
    assert.deepEqual(report.unloaded, []);
    assert.deepEqual(flows(report.graph), [
      'corrections.audit -> warehouse.audit',
      'corrections.corrected -> corrections.rewrite',
      'corrections.rewrite -> warehouse.orders_clean',
      'orders.audit -> warehouse.audit',
      'orders.clean_orders -> orders.audit',
      'orders.clean_orders -> orders.export',
      'orders.clean_orders -> orders.tidy',
      'orders.customers -> orders.clean_orders',
      'orders.export -> warehouse.orders_clean',
      'orders.raw_orders -> orders.clean_orders',
      'refunds.big_refunds -> warehouse.big_refunds',
      'refunds.refunds -> warehouse.refunds',
      'shop.public.audit_rules -> orders.audit',
      'shop.public.customers -> orders.customers',
      'shop.public.orders -> orders.raw_orders',
      'shop.public.refunds -> refunds.big_refunds',
      'shop.public.refunds -> refunds.refunds',
      'warehouse.orders_clean -> corrections.corrected',
      'warehouse.refunds -> corrections.corrected',
    ]);
  });

  it('warns that two pipelines write one table, naming both, and keeps quiet where an owner is declared', () => {
    assert.deepEqual(
      report.warnings.map((w) => [w.code, w.table, w.writers]),
      [['lineage.two_writers', 'warehouse.orders_clean', ['corrections.rewrite', 'orders.export']]],
    );
    assert.match(report.warnings[0]!.message, /written by 2 pipelines: corrections\.rewrite and orders\.export/);
  });

  it('says when a declared owner does not write its table', async () => {
    const stale = await loadProjectLineage({ project: { ...loadProject(root), settings: { ...loadProject(root).settings, tables: { 'warehouse.orders_clean': { owner: 'billing' } } } }, connectors, session });
    const codes = stale.warnings.map((w) => `${w.code} ${w.table}`).sort();
    assert.deepEqual(codes, ['lineage.owner_not_a_writer warehouse.orders_clean', 'lineage.two_writers warehouse.audit']);
  });

  it('traces a table upstream and downstream across pipelines', () => {
    const [orders] = findDatasets(report.graph, 'public.orders');
    assert.ok(orders);
    assert.deepEqual(names(traceLineage(report.graph, orders.id, 'downstream')), [
      'orders.raw_orders',
      'orders.clean_orders',
      'orders.export',
      'warehouse.orders_clean',
      'corrections.corrected',
      'corrections.rewrite',
      'warehouse.orders_clean',
      'orders.audit',
      'warehouse.audit',
      'orders.tidy',
    ]);
    const [refunds] = findDatasets(report.graph, 'warehouse.refunds');
    assert.deepEqual(names(traceLineage(report.graph, refunds!.id, 'upstream')), ['refunds.refunds', 'shop.public.refunds']);
  });

  it('follows a column through SQL blocks and pipelines to where its values start', () => {
    const labels = new Map(report.graph.nodes.map((n) => [n.id, nodeLabel(n)]));
    const origins = (node: string, column: string) => columnOrigins(report.graph, node, column).map((o) => `${labels.get(o.node)}.${o.column}`).sort();
    assert.deepEqual(origins('block:orders/export', 'customer'), ['shop.public.customers.name']);
    assert.deepEqual(origins('block:orders/export', 'cents'), ['shop.public.orders.amount']);
    assert.deepEqual(origins('block:corrections/rewrite', 'cents'), ['warehouse.orders_clean.cents', 'warehouse.refunds.amount']);
    // A clean block's flag and reason columns come from the column it cleans.
    assert.deepEqual(origins('block:orders/tidy', 'customer_flag'), ['shop.public.customers.name']);
    assert.deepEqual(origins('block:orders/tidy', 'cents'), ['shop.public.orders.amount']);
  });

  it('finds a table by its name alone, in any connection', () => {
    assert.deepEqual(findDatasets(report.graph, 'refunds').map(nodeLabel).sort(), ['shop.public.refunds', 'warehouse.refunds']);
  });
});
