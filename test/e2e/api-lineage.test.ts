import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { serveProject, type ServedProject } from './api-server.ts';

interface LineageBody {
  nodes: { id: string; kind: string }[];
  edges: { from: string; to: string }[];
  columns: Record<string, { name: string; sources: { node: string; column: string }[] }[]>;
  warnings: { code: string; table: string; writers: string[]; message: string }[];
  unloaded: { pipeline: string; error: { message: string } }[];
  traces?: { dataset: string; upstream: { node: { id: string } }[]; downstream: { node: { id: string } }[] }[];
}

describe('sluice serve: the lineage route', () => {
  let s: ServedProject;

  before(async () => {
    s = await serveProject({
      'pipelines/scores.yaml': [
        'blocks:',
        '  - { name: people, file: blocks/people.ts }',
        '  - { name: ranked, file: blocks/ranked.sql, upstream: [people] }',
        '  - { name: land, role: exporter, connection: warehouse, upstream: [ranked], settings: { table: scores } }',
        '',
      ].join('\n'),
      'blocks/people.ts': "export default function people() { return [{ name: 'ada', score: 3 }, { name: 'bo', score: 5 }]; }\n",
      'blocks/ranked.sql': 'SELECT * FROM people ORDER BY score DESC\n',
      'pipelines/rescore.yaml': [
        'blocks:',
        '  - { name: fixed, file: blocks/fixed.sql }',
        '  - { name: land, role: exporter, connection: warehouse, upstream: [fixed], settings: { table: scores, mode: append } }',
        '',
      ].join('\n'),
      'blocks/fixed.sql': "SELECT 'cy' AS name, 4 AS score\n",
      'pipelines/broken.yaml': 'blocks: [ { name: x } ]\n',
    });
  });
  after(async () => s?.close());

  it('answers the graph across pipelines, with a warning that names both writers of a table', async () => {
    const { status, body } = await s.json<LineageBody>('/api/lineage');
    assert.equal(status, 200);
    assert.ok(body.edges.some((e) => e.from === 'block:scores/land' && e.to === 'table:warehouse.scores'));
    assert.ok(body.edges.some((e) => e.from === 'block:rescore/land' && e.to === 'table:warehouse.scores'));
    assert.deepEqual(body.warnings.map((w) => [w.code, w.table, w.writers]), [['lineage.two_writers', 'warehouse.scores', ['rescore.land', 'scores.land']]]);
    assert.deepEqual(body.unloaded.map((u) => u.pipeline), ['broken']);
  });

  it("resolves SELECT * through the upstream output's columns once a run has stored them", async () => {
    const before = await s.json<LineageBody>('/api/lineage');
    assert.deepEqual(before.body.columns['block:scores/ranked']!.map((c) => c.name), ['*']);
    const { body: started } = await s.json<{ run_id: string }>('/api/pipelines/scores/runs', { method: 'POST', body: '{}' });
    assert.equal((await s.waitForRun(started.run_id)).status, 'succeeded');
    const { body } = await s.json<LineageBody>('/api/lineage');
    assert.deepEqual(body.columns['block:scores/ranked'], [
      { name: 'name', sources: [{ node: 'block:scores/people', column: 'name' }] },
      { name: 'score', sources: [{ node: 'block:scores/people', column: 'score' }] },
    ]);
  });

  it('traces a table upstream and downstream when asked for one', async () => {
    const { body } = await s.json<LineageBody>('/api/lineage?table=scores');
    assert.equal(body.traces?.length, 1);
    assert.deepEqual(body.traces![0]!.upstream.map((step) => step.node.id).sort(), ['block:rescore/land', 'block:scores/land']);
    assert.deepEqual(body.traces![0]!.downstream, []);
  });
});
