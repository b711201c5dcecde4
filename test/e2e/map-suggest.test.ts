import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { requirePrerequisites } from '../../src/testing/require-prerequisites.ts';
import { testPgUrl } from '../../src/testing/prerequisite-checks.ts';
import { sluice, tempDir, writeProject } from './cli-helpers.ts';

const skip = await requirePrerequisites('postgres');

describe('sluice map suggest', { skip }, () => {
  const { dir, cleanup } = tempDir('sluice-map-');
  const schema = `tk_map_${process.pid}_${Math.random().toString(36).slice(2, 8)}`;
  const client = new pg.Client({ connectionString: testPgUrl() });

  before(async () => {
    await client.connect();
    await client.query(`CREATE SCHEMA ${schema}`);
    // The target: a CRM's contacts table, with its own rows.
    await client.query(`CREATE TABLE ${schema}.contacts (customer_id bigint, email_address text, "Full Name" text, phone_number text, signup_date date, country_code char(2), lifetime_value numeric(12,2))`);
    await client.query(`INSERT INTO ${schema}.contacts VALUES
      (1, 'kim@example.com', 'Kim Park', '+14155550111', '2023-01-05', 'US', 120.50),
      (2, 'lee@example.net', 'Lee Wong', '+442079460000', '2023-02-11', 'GB', 99.00),
      (3, 'max@example.de', 'Max Weber', '+4930123456', '2023-03-17', 'DE', 12.00)`);
    writeProject(dir, {
      'sluice.yaml': 'name: mapping\n',
      'connections.yaml': `connections:\n  crm:\n    connector: postgres\n    url: ${testPgUrl()}\n    schema: ${schema}\n`,
      'data/legacy_customers.csv': [
        'CUST_NO,EMAIL_ADDR,CUST_NM,TEL,CREATED_DT,CTRY,NOTES',
        '1001,ana@example.com,Ana Souza,+12125550101,2024-03-01,US,called twice',
        '1002,bo@example.org,"Nilsson, Bo",+46812345678,2024-03-02,SE,',
        '1003,chen.li@example.cn,Chen Li,+8613812345678,2024-03-03,CN,VIP',
        '',
      ].join('\n'),
      'pipelines/migrate.yaml': 'blocks:\n  - name: legacy_customers\n    connector: file\n    settings: { path: data/legacy_customers.csv }\n',
    });
    const r = await sluice(dir, ['run', 'migrate']);
    assert.equal(r.code, 0, r.stderr + r.stdout);
  });
  after(async () => {
    await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`).catch(() => undefined);
    await client.end();
    cleanup();
  });

  it('suggests a target for each source column with a confidence and a reason, and no match where there is none', async () => {
    const r = await sluice(dir, ['map', 'suggest', 'migrate.legacy_customers', 'crm.contacts', '--json']);
    assert.equal(r.code, 0, r.stderr + r.stdout);
    const answer = JSON.parse(r.stdout) as { source: { label: string }; target: { label: string; columns: { name: string }[] }; suggestions: { source: string; target: string | null; confidence: number; reason: string }[] };
    assert.equal(answer.target.label, 'crm.contacts');
    assert.deepEqual(
      Object.fromEntries(answer.suggestions.map((s) => [s.source, s.target])),
      { CUST_NO: 'customer_id', EMAIL_ADDR: 'email_address', CUST_NM: 'Full Name', TEL: 'phone_number', CREATED_DT: 'signup_date', CTRY: 'country_code', NOTES: null },
    );
    const email = answer.suggestions.find((s) => s.source === 'EMAIL_ADDR')!;
    assert.ok(email.confidence >= 0.8 && email.confidence <= 1, String(email.confidence));
    assert.match(email.reason, /both hold email addresses/);
    assert.match(answer.suggestions.find((s) => s.source === 'NOTES')!.reason, /^no match/);
  });

  it('prints the mapping for people, and refuses a source it cannot find, naming what exists', async () => {
    const r = await sluice(dir, ['map', 'suggest', 'migrate.legacy_customers', 'crm.contacts']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /CUST_NO +→ +customer_id +0\.\d\d +names/);
    assert.match(r.stdout, /NOTES +→ +no match/);
    assert.match(r.stdout, /6 of 7 source columns mapped; target columns with no source \(written as NULL\): lifetime_value/);
    const bad = await sluice(dir, ['map', 'suggest', 'migrate.nope', 'crm.contacts']);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /pipeline 'migrate' has no block 'nope' \(blocks: legacy_customers\)/);
  });

  it('writes the accepted mapping as a SQL block with quoted names, which runs and gives the target its columns', async () => {
    const r = await sluice(dir, ['map', 'suggest', 'migrate.legacy_customers', 'crm.contacts', '--reject', 'CREATED_DT', '--write', 'blocks/map_customers.sql']);
    assert.equal(r.code, 0, r.stderr + r.stdout);
    assert.match(r.stdout, /wrote blocks\/map_customers\.sql and added block 'map_customers' to pipeline 'migrate' \(upstream: legacy_customers\)/);
    const sql = readFileSync(path.join(dir, 'blocks/map_customers.sql'), 'utf8');
    assert.match(sql, /^ {2}"CUST_NM" AS "Full Name", -- 0\.\d\d: /m);
    assert.match(sql, /^ {2}NULL AS "signup_date", -- no source column$/m);
    assert.match(sql, /^FROM "legacy_customers"$/m);
    assert.match(readFileSync(path.join(dir, 'pipelines/migrate.yaml'), 'utf8'), /name: map_customers\n\s+role: transformer\n\s+file: blocks\/map_customers\.sql\n\s+upstream: \[ legacy_customers \]/);

    const run = await sluice(dir, ['run', 'migrate']);
    assert.equal(run.code, 0, run.stderr + run.stdout);
    const preview = await sluice(dir, ['preview', 'migrate', 'map_customers']);
    assert.equal(preview.code, 0, preview.stderr);
    assert.match(preview.stdout, /customer_id +email_address +Full Name +phone_number +signup_date +country_code +lifetime_value/);
    assert.match(preview.stdout, /1002 +bo@example\.org +Nilsson, Bo +\+46812345678 +NULL +SE +NULL/);
  });

  it('writes the mapping of a table as a SQL block that runs inside its connection', async () => {
    const r = await sluice(dir, ['map', 'suggest', 'crm.contacts', 'migrate.legacy_customers', '--write', 'blocks/map_contacts.sql', '--pipeline', 'migrate']);
    assert.equal(r.code, 0, r.stderr + r.stdout);
    assert.match(r.stdout, /added block 'map_contacts' to pipeline 'migrate' \(runs in crm\)/);
    assert.match(readFileSync(path.join(dir, 'blocks/map_contacts.sql'), 'utf8'), /^ {2}"Full Name" AS "CUST_NM",.*\nFROM "contacts"\n/ms);
    const run = await sluice(dir, ['run', 'migrate', '--block', 'map_contacts']);
    assert.equal(run.code, 0, run.stderr + run.stdout);
    const preview = await sluice(dir, ['preview', 'migrate', 'map_contacts']);
    assert.match(preview.stdout, /CUST_NO +EMAIL_ADDR +CUST_NM +TEL +CREATED_DT +CTRY +NOTES/);
    assert.match(preview.stdout, /2 +lee@example\.net +Lee Wong +\+442079460000 +2023-02-11 +GB +NULL/);
  });

  it('refuses to write over an existing block file, and leaves the pipeline as it was', async () => {
    const before = readFileSync(path.join(dir, 'pipelines/migrate.yaml'), 'utf8');
    const r = await sluice(dir, ['map', 'suggest', 'migrate.legacy_customers', 'crm.contacts', '--write', 'blocks/map_customers.sql']);
    assert.equal(r.code, 2, r.stdout);
    assert.match(r.stderr, /map_customers/);
    assert.equal(readFileSync(path.join(dir, 'pipelines/migrate.yaml'), 'utf8'), before);
  });
});
