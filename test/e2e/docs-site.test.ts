import assert from 'node:assert/strict';
import { appendFileSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { sluice, tempDir, writeProject } from './cli-helpers.ts';

interface Entry { kind: string; title: string; url: string; text: string }

describe('sluice docs build on the sales example', () => {
  const { dir, cleanup } = tempDir();
  const project = path.join(dir, 'shop');
  const site = path.join(dir, 'site');
  const read = (file: string) => readFileSync(path.join(site, file), 'utf8');
  let index: Entry[];
  const pageOf = (title: string) => read(index.find((e) => e.title === title)!.url);
  after(cleanup);

  before(async () => {
    assert.equal((await sluice(dir, ['init', 'shop', '--example', 'sales'])).code, 0);
    appendFileSync(path.join(project, 'sluice.yaml'), 'pii:\n  columns: [customer]\n');
    const run = await sluice(project, ['run', 'daily_sales']);
    assert.equal(run.code, 0, run.stderr + run.stdout);
    const build = await sluice(project, ['docs', 'build', '--out', site]);
    assert.equal(build.code, 0, build.stderr + build.stdout);
    assert.match(build.stdout, /wrote \d+ pages/);
    index = JSON.parse(read('search-index.json')) as Entry[];
  });

  it('indexes every pipeline, every block and every table the project writes, each with its page', () => {
    const titles = (kind: string) => index.filter((e) => e.kind === kind).map((e) => e.title).sort();
    assert.deepEqual(titles('pipeline'), ['daily_sales', 'refunds', 'sales_by_day']);
    assert.ok(titles('block').includes('daily_sales / clean_sales'));
    assert.ok(titles('block').includes('refunds / net_revenue'));
    for (const table of ['warehouse.sales', 'warehouse.daily_revenue']) assert.ok(titles('table').includes(table), table);
    const files = new Set(readdirSync(site));
    for (const entry of index) assert.ok(files.has(entry.url), `${entry.url} is written`);
    assert.match(read('search-index.js'), /^window\.SLUICE_DOCS_INDEX = \[/);
  });

  it('shows a pipeline with its description, DAG picture and last run', () => {
    const html = pageOf('daily_sales');
    assert.match(html, /Clean raw sales, compute daily revenue per product/);
    assert.match(html, /<svg [^>]*role="img"/);
    assert.equal((html.match(/<rect /g) ?? []).length, 9, 'a box per block');
    assert.match(html, /<td>succeeded<\/td><td>cli<\/td>/);
  });

  it('describes blocks from their SQL and TypeScript comments and shows their code and datasets', () => {
    const ts = pageOf('daily_sales / clean_sales');
    assert.match(ts, /Cleans raw orders: dates written two ways made one/);
    assert.match(ts, /defineTransformer/);
    assert.match(pageOf('refunds / net_revenue'), /Daily revenue with the day&#39;s refunds taken off\./);
    assert.match(pageOf('daily_sales / export_sales'), /<h2>Writes<\/h2><p><a href="table-[^"]+">warehouse\.sales<\/a>/);
  });

  it('lists a written table with its columns, types and latest profile', () => {
    const html = pageOf('warehouse.sales');
    assert.match(html, /<td>order_id<\/td><td>BIGINT<\/td><td>0<\/td><td>\d+<\/td>/);
    assert.match(html, /<td>amount<\/td><td>DECIMAL\(12,2\)<\/td>/);
    assert.match(html, /Latest profile: \d+ rows/);
    assert.match(html, /<td>customer <span class="pii"[^>]*>PII<\/span><\/td><td>VARCHAR<\/td><td>0<\/td><td>\d+<\/td><td><i>masked<\/i><\/td><td><i>masked<\/i><\/td>/);
    assert.doesNotMatch(html, /Acme Corp/, 'no customer name from the profile');
    assert.equal((html.match(/class="pii"/g) ?? []).length, 1, 'only the column the rule names');
    assert.match(html, /Written by <a href="block-[^"]+">daily_sales \/ export_sales<\/a>/);
  });
});

describe('sluice docs build escapes what the project says', () => {
  const { dir, cleanup } = tempDir();
  after(cleanup);

  it('writes a hostile description and table note as text, in pages and in the search index', async () => {
    const hostile = '<script>alert(1)</script><img src=x onerror=alert(2)>"\'';
    writeProject(dir, {
      'sluice.yaml': `name: "<b>shop</b>"\ndescription: ${JSON.stringify(hostile)}\ntables:\n  warehouse.t: { owner: p, description: ${JSON.stringify(hostile)} }\n`,
      'pipelines/p.yaml': `description: ${JSON.stringify(hostile)}\nblocks:\n  - name: b\n    role: transformer\n    file: blocks/b.sql\n    description: ${JSON.stringify(hostile)}\n  - name: out\n    role: exporter\n    connection: warehouse\n    upstream: [b]\n    settings: { table: t }\n`,
      'blocks/b.sql': "-- </pre><script>alert(3)</script>\nSELECT '</code><script>alert(4)</script>' AS x\n",
    });
    const build = await sluice(dir, ['docs', 'build']);
    assert.equal(build.code, 0, build.stderr + build.stdout);
    const site = path.join(dir, '.sluice/docs-site');
    for (const file of readdirSync(site).filter((f) => f.endsWith('.html'))) {
      const html = readFileSync(path.join(site, file), 'utf8');
      assert.doesNotMatch(html, /<script>|<img|<b>shop/, file);
      assert.equal((html.match(/<script/g) ?? []).length, 2, `${file}: only the site's two scripts`);
    }
    const pipelinePage = readdirSync(site).find((f) => f.startsWith('pipeline-p-'))!;
    assert.match(readFileSync(path.join(site, pipelinePage), 'utf8'), /&#60;script&#62;alert\(1\)&#60;\/script&#62;/);
    assert.doesNotMatch(readFileSync(path.join(site, 'search-index.js'), 'utf8'), /<\/?script/);
  });
});
