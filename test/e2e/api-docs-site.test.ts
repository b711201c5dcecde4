import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { serveProject, type ServedProject } from './api-server.ts';

describe('sluice serve: the documentation site', () => {
  let s: ServedProject;

  before(async () => {
    s = await serveProject({
      'pipelines/scores.yaml': [
        'description: Ranks <players> by score.',
        'blocks:',
        '  - { name: ranked, file: blocks/ranked.sql }',
        '  - { name: land, role: exporter, connection: warehouse, upstream: [ranked], settings: { table: scores } }',
        '',
      ].join('\n'),
      'blocks/ranked.sql': "-- Players, best first.\nSELECT 'ada' AS name, 3 AS score\n",
    });
  });
  after(async () => s?.close());

  it('builds the site when its index is opened and serves its pages, stylesheet and search index', async () => {
    const index = await s.api('/api/docs-site/index.html');
    assert.equal(index.status, 200);
    assert.match(index.headers.get('content-type')!, /^text\/html/);
    const html = await index.text();
    const pipelineHref = /href="(pipeline-scores-[a-z0-9]+\.html)"/.exec(html)?.[1];
    assert.ok(pipelineHref, html);
    const pipeline = await (await s.api(`/api/docs-site/${pipelineHref}`)).text();
    assert.match(pipeline, /Ranks &#60;players&#62; by score\./);
    assert.match(pipeline, /Players, best first\./);
    assert.match((await s.api('/api/docs-site/site.css')).headers.get('content-type')!, /^text\/css/);
    const search = await s.json<{ kind: string; title: string }[]>('/api/docs-site/search-index.json');
    assert.deepEqual(search.body.filter((e) => e.kind !== 'table').map((e) => e.title), ['scores', 'scores / ranked', 'scores / land']);
  });

  it('refuses a caller without a key, names outside the site and unknown pages', async () => {
    assert.equal((await s.api('/api/docs-site/index.html', { auth: '' })).status, 401);
    assert.equal((await s.api('/api/docs-site/..%2Fsluice.db')).status, 404);
    assert.equal((await s.api('/api/docs-site/.hidden.html')).status, 404);
    assert.equal((await s.api('/api/docs-site/nope.html')).status, 404);
    const bare = await s.api('/api/docs-site', { redirect: 'manual' });
    assert.equal(bare.status, 302);
    assert.equal(bare.headers.get('location'), '/api/docs-site/index.html');
  });
});
