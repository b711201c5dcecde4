import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { serveProject, type ServedProject } from './api-server.ts';
import { sluice } from './cli-helpers.ts';

const pipelineYaml = `# Customers, cleaned.
blocks:
  - name: raw_customers
    role: loader
    file: blocks/raw_customers.sql
  - name: clean_customers
    upstream: [raw_customers]
    clean:
      signup: { tool: dates, day_first: true } # the shop writes day first
      phone: { tool: phones, region: US }
`;

interface ToolsBody {
  tools: { name: string; settings: { type?: string; properties?: Record<string, { type?: string; enum?: string[] }> } }[];
}

describe('sluice serve: clean tools as JSON Schema, and a clean block written from a form', () => {
  let s: ServedProject;
  const read = () => readFileSync(path.join(s.dir, 'pipelines/customers.yaml'), 'utf8');

  before(async () => {
    s = await serveProject({
      'pipelines/customers.yaml': pipelineYaml,
      'blocks/raw_customers.sql': "SELECT '03/04/2024' AS signup, '(415) 555-2671' AS phone\n",
    });
  });
  after(async () => {
    await s.close();
  });

  it('lists every clean tool with its settings as JSON Schema', async () => {
    const { status, body } = await s.json<ToolsBody>('/api/clean-tools');
    assert.equal(status, 200);
    assert.deepEqual(body.tools.map((t) => t.name).sort(), ['countries', 'dates', 'dictionary', 'phones', 'street_addresses', 'text', 'tokens', 'us_states']);
    const dates = body.tools.find((t) => t.name === 'dates')!.settings;
    assert.equal(dates.properties?.day_first?.type, 'boolean');
    assert.deepEqual(body.tools.find((t) => t.name === 'countries')!.settings.properties?.output?.enum, ['alpha2', 'alpha3', 'name']);
  });

  it('writes changed settings and a new column, keeping the comments and the columns that did not change', async () => {
    const { status } = await s.json('/api/pipelines/customers/blocks/clean_customers/clean', {
      method: 'PUT',
      body: JSON.stringify({ columns: { signup: { tool: 'dates', day_first: false }, phone: { tool: 'phones', region: 'US' }, state: { tool: 'us_states', output: 'name' } } }),
    });
    assert.equal(status, 200);
    const text = read();
    assert.match(text, /^# Customers, cleaned\./);
    assert.match(text, /signup: \{ tool: dates, day_first: false \} # the shop writes day first/);
    assert.match(text, /phone: \{ tool: phones, region: US \}/);
    assert.match(text, /state: \{ tool: us_states, output: name \}/);
    const validated = await sluice(s.dir, ['validate']);
    assert.equal(validated.code, 0, validated.stdout + validated.stderr);
  });

  it('refuses a setting the tool does not take, naming the column and file, and leaves the file alone', async () => {
    const before = read();
    const { status, body } = await s.json<{ detail?: string; message?: string }>('/api/pipelines/customers/blocks/clean_customers/clean', {
      method: 'PUT',
      body: JSON.stringify({ columns: { phone: { tool: 'phones', region: 'usa' } } }),
    });
    assert.equal(status, 400);
    assert.match(JSON.stringify(body), /pipelines\/customers\.yaml.*column 'phone': tool 'phones': region: an ISO 3166 alpha-2 region/);
    assert.equal(read(), before);
  });

  it('refuses to write clean columns on a block that is not a clean block', async () => {
    const { status } = await s.json('/api/pipelines/customers/blocks/raw_customers/clean', { method: 'PUT', body: JSON.stringify({ columns: { a: { tool: 'dates' } } }) });
    assert.equal(status, 400);
  });
});
