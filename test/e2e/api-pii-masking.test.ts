import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { waitFor } from '../../src/testing/wait-for.ts';
import { DuckDBInstance } from '@duckdb/node-api';
import { SqliteRunStore } from '../../src/core/run-store/sqlite-run-store.ts';
import { roles, type Role } from '../../src/core/run-store/user-store.ts';
import { addUser, issueApiKey } from '../../src/server/users/user-admin.ts';
import { serveProject, type ServedProject } from './api-server.ts';

const marker = '[masked]';
/** Values of the personal-data columns: none may reach a viewer or an operator, in any answer. */
const personal = /person\d@example\.com|555-01\d/;

/**
 * A real server over a real project and a real run, asked by each role for
 * every answer that carries stored values: a viewer and an operator get the
 * marker in the personal-data columns (marked in YAML, matched by a rule,
 * carried by lineage), an editor and an admin the values.
 */
describe('personal data is masked for roles below editor, on every route that answers with values', () => {
  let s: ServedProject;
  let runId: string;
  let checkName: string;
  let featuresRun: string;
  const keys = new Map<Role, string>();
  const scratch = mkdtempSync(path.join(os.tmpdir(), 'sluice-pii-'));

  before(async () => {
    s = await serveProject({
      'sluice.yaml': 'name: pii_masking\npii:\n  columns: ["*_phone"]\n',
      'pipelines/people.yaml': [
        'blocks:',
        '  - name: raw',
        '    file: blocks/raw.sql',
        '    pii: [email]',
        '    checks:',
        '      - accepted_values: { column: status, values: [paid] }',
        '        severity: warn',
        '  - name: contacts',
        '    file: blocks/contacts.sql',
        '    upstream: [raw]',
        '',
      ].join('\n'),
      'blocks/raw.sql':
        "SELECT i::INTEGER AS id, 'person' || i || '@example.com' AS email, '555-01' || i AS home_phone, (i * 10)::INTEGER AS amount, CASE WHEN i = 3 THEN 'refunded' ELSE 'paid' END AS status FROM range(1, 6) r(i)\n",
      'blocks/contacts.sql': 'SELECT email AS contact, home_phone AS phone, amount FROM raw\n',
      'pipelines/features.yaml': [
        'blocks:',
        '  - { name: src, file: blocks/src.sql }',
        '  - name: features',
        '    upstream: [src]',
        '    prepare:',
        "      split: { by: time, column: placed, cutoff: '2024-03-01' }",
        '      transform:',
        '        home_phone: { encode: ordinal, unseen: ignore }',
        '        amount: { scale: min_max }',
        '',
      ].join('\n'),
      'blocks/src.sql': "SELECT i::INTEGER AS id, DATE '2024-01-01' + INTERVAL (i * 20) DAY AS placed, '555-01' || i AS home_phone, (i * 10)::INTEGER AS amount FROM range(1, 6) r(i)\n",
    });
    const started = await s.json<{ run_id: string }>('/api/pipelines/people/runs', { method: 'POST', body: '{}' });
    runId = started.body.run_id;
    assert.equal((await s.waitForRun(runId)).status, 'succeeded');
    featuresRun = (await s.json<{ run_id: string }>('/api/pipelines/features/runs', { method: 'POST', body: '{}' })).body.run_id;
    assert.equal((await s.waitForRun(featuresRun)).status, 'succeeded');
    const store = new SqliteRunStore(path.join(s.dir, '.sluice', 'sluice.db'));
    try {
      for (const role of roles) {
        await addUser(store, { name: `pii-${role}`, role }, { name: 'test' });
        keys.set(role, await issueApiKey(store, `pii-${role}`, { name: 'test' }));
      }
      // Drift found in the run, with sample rows as a run keeps them.
      await store.putDriftEvents(runId, 'raw', [
        { runId, pipeline: 'people', block: 'raw', column: 'email', kind: 'format_changed', action: 'warned', message: 'email changed its shape', rows: 1, samples: [{ id: 2, email: 'person2@example.com', amount: 20 }], at: new Date().toISOString() },
      ]);
    } finally {
      await store.close();
    }
    const checks = await s.json<{ checks: { name: string }[] }>(`/api/runs/${runId}/checks`, { auth: keys.get('admin') });
    checkName = checks.body.checks[0]!.name;
  });
  after(async () => {
    await s.close();
    rmSync(scratch, { recursive: true, force: true });
  });

  const masks = (role: Role) => role === 'viewer' || role === 'operator';

  /** Asks as `role` and checks the answer both ways: the marker and no value below editor, the values and no marker from editor up. */
  async function asRole(role: Role, route: string): Promise<{ text: string; response: Response }> {
    const response = await s.api(route, { auth: keys.get(role) });
    assert.equal(response.status, 200, `${route} as ${role}`);
    const text = Buffer.from(await response.arrayBuffer()).toString('utf8');
    return { text, response };
  }

  for (const role of roles) {
    it(`${role}: output pages of the marked block and of the block downstream of it`, async () => {
      const raw = JSON.parse((await asRole(role, `/api/runs/${runId}/blocks/raw/output`)).text) as { rows: Record<string, unknown>[]; masked: string[] };
      const contacts = JSON.parse((await asRole(role, `/api/runs/${runId}/blocks/contacts/output`)).text) as { rows: Record<string, unknown>[]; masked: string[] };
      if (masks(role)) {
        assert.deepEqual(raw.masked.sort(), ['email', 'home_phone']);
        assert.deepEqual(contacts.masked.sort(), ['contact', 'phone']);
        assert.deepEqual(raw.rows[0], { id: 1, email: marker, home_phone: marker, amount: 10, status: 'paid' });
        assert.deepEqual(contacts.rows[0], { contact: marker, phone: marker, amount: 10 });
      } else {
        assert.deepEqual(raw.masked, []);
        assert.deepEqual(contacts.masked, []);
        assert.deepEqual(raw.rows[0], { id: 1, email: 'person1@example.com', home_phone: '555-011', amount: 10, status: 'paid' });
        assert.deepEqual(contacts.rows[0], { contact: 'person1@example.com', phone: '555-011', amount: 10 });
      }
    });

    it(`${role}: a filter or sort on a masked column tells nothing of its values`, async () => {
      const filters = encodeURIComponent(JSON.stringify([{ column: 'email', op: 'contains', value: 'person3' }]));
      const page = JSON.parse((await asRole(role, `/api/runs/${runId}/blocks/raw/output?filters=${filters}&sort=home_phone&order=desc`)).text) as { total: number; rows: Record<string, unknown>[] };
      assert.equal(page.total, masks(role) ? 0 : 1);
    });

    it(`${role}: CSV and Parquet downloads`, async () => {
      const csv = await asRole(role, `/api/runs/${runId}/blocks/raw/download?format=csv`);
      const parquet = await asRole(role, `/api/runs/${runId}/blocks/contacts/download?format=parquet`);
      const file = path.join(scratch, `${role}.parquet`);
      writeFileSync(file, Buffer.from(await (await s.api(`/api/runs/${runId}/blocks/contacts/download?format=parquet`, { auth: keys.get(role) })).arrayBuffer()));
      const instance = await DuckDBInstance.create(':memory:');
      const connection = await instance.connect();
      const contacts = (await (await connection.runAndReadAll(`SELECT contact, phone FROM read_parquet('${file}') ORDER BY amount`)).getRowObjectsJS()) as Record<string, unknown>[];
      connection.closeSync();
      instance.closeSync();
      if (masks(role)) {
        assert.equal(csv.response.headers.get('x-sluice-masked'), 'email,home_phone');
        assert.equal(parquet.response.headers.get('x-sluice-masked'), 'contact,phone');
        assert.doesNotMatch(csv.text, personal);
        assert.match(csv.text, /^1,\[masked\],\[masked\],10,paid$/m);
        assert.deepEqual(contacts[0], { contact: marker, phone: marker });
      } else {
        assert.equal(csv.response.headers.get('x-sluice-masked'), null);
        assert.match(csv.text, /^1,person1@example\.com,555-011,10,paid$/m);
        assert.deepEqual(contacts[0], { contact: 'person1@example.com', phone: '555-011' });
      }
    });

    it(`${role}: quick stats and the profile`, async () => {
      const stats = JSON.parse((await asRole(role, `/api/runs/${runId}/blocks/raw/stats`)).text) as { columns: { name: string; min: string; max: string; nulls: number; distinct: number }[]; masked: string[] };
      const profile = JSON.parse((await asRole(role, `/api/runs/${runId}/blocks/contacts/profile`)).text) as { profile: { columns: { name: string; min?: unknown; max?: unknown; topValues?: { value: string }[] }[] }; masked: string[] };
      const email = stats.columns.find((c) => c.name === 'email')!;
      const contact = profile.profile.columns.find((c) => c.name === 'contact')!;
      const amount = profile.profile.columns.find((c) => c.name === 'amount')!;
      assert.equal(email.distinct, 5, 'counts stay');
      assert.equal(amount.max, 50, 'an unmarked column keeps its values');
      if (masks(role)) {
        assert.deepEqual(stats.masked.sort(), ['email', 'home_phone']);
        assert.deepEqual(profile.masked.sort(), ['contact', 'phone']);
        assert.deepEqual([email.min, email.max, contact.min, contact.max], [marker, marker, marker, marker]);
        assert.doesNotMatch(JSON.stringify([stats, profile]), personal);
      } else {
        assert.deepEqual([stats.masked, profile.masked], [[], []]);
        assert.deepEqual([email.min, email.max, contact.min, contact.max], ['person1@example.com', 'person5@example.com', 'person1@example.com', 'person5@example.com']);
      }
    });

    it(`${role}: check failure samples, a check's history and drift samples`, async () => {
      const routes = [`/api/runs/${runId}/checks`, `/api/pipelines/people/blocks/raw/checks/${checkName}/history`, `/api/runs/${runId}/drift`, '/api/pipelines/people/drift'];
      for (const route of routes) {
        const { text } = await asRole(role, route);
        const answer = JSON.parse(text) as Record<string, { sample?: Record<string, unknown>[]; samples?: Record<string, unknown>[]; masked?: string[] }[]>;
        const [first] = Object.values(answer)[0]!;
        const row = (first!.sample ?? first!.samples)![0]!;
        if (masks(role)) {
          assert.doesNotMatch(text, personal, route);
          assert.equal(row.email, marker, route);
          assert.ok(first!.masked?.includes('email'), route);
        } else {
          assert.match(String(row.email), /^person\d@example\.com$/, route);
          assert.equal(first!.masked, undefined, route);
        }
      }
    });
  }

  for (const role of roles) {
    it(`${role}: a prepare block's fitted parameters in the run detail`, async () => {
      const detail = JSON.parse((await asRole(role, `/api/runs/${featuresRun}`)).text) as { blocks: { block: string; files?: Record<string, { columns: Record<string, { categories?: string[]; min?: unknown }>; masked?: string[] }> }[] };
      const fitted = detail.blocks.find((b) => b.block === 'features')!.files!['fitted-transforms.json']!;
      assert.deepEqual(fitted.columns.amount!.min, 10, 'an unmarked column keeps its parameters');
      if (masks(role)) {
        assert.deepEqual(fitted.masked, ['home_phone']);
        assert.deepEqual(new Set(fitted.columns.home_phone!.categories), new Set([marker]));
        assert.doesNotMatch(JSON.stringify(detail), personal);
      } else {
        assert.equal(fitted.masked, undefined);
        assert.ok(fitted.columns.home_phone!.categories!.every((c) => /^555-01\d$/.test(c)));
      }
    });
  }

  it('masks from the next look once a column is marked, and unmasks once the mark goes', async () => {
    const look = async () => (JSON.parse((await asRole('viewer', `/api/runs/${runId}/blocks/raw/output`)).text) as { masked: string[] }).masked.sort();
    writeFileSync(path.join(s.dir, 'sluice.yaml'), 'name: pii_masking\npii:\n  columns: ["*_phone", "amount"]\n');
    // The marks are read again at most every 2 s: wait for the change to show, then hold it to the exact list.
    await waitFor(async () => (await look()).includes('amount'), { what: 'the new rule to mask amount', timeout: 20_000 });
    assert.deepEqual(await look(), ['amount', 'email', 'home_phone']);
    writeFileSync(path.join(s.dir, 'sluice.yaml'), 'name: pii_masking\n');
    await waitFor(async () => !(await look()).includes('amount'), { what: 'the removed rule to unmask amount', timeout: 20_000 });
    assert.deepEqual(await look(), ['email']);
  });
});
