import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { SqliteRunStore } from '../../src/core/run-store/sqlite-run-store.ts';
import { roles, type Role } from '../../src/core/run-store/user-store.ts';
import { addUser, issueApiKey } from '../../src/server/users/user-admin.ts';
import { maskedText } from '../../src/server/pii/text-mask.ts';
import { waitFor } from '../../src/testing/wait-for.ts';
import { alertReceiver } from './alert-receiver.ts';
import { serveProject, type ServedProject } from './api-server.ts';

/** Values of personal-data columns that blocks and the database quote in free text: none may reach a viewer or an operator. */
const personal = /person\d@example\.com|555-0199/;

/**
 * Log lines and error messages are free text: a block logs a value of a
 * marked column, the database quotes the value it could not convert. A real
 * server, asked by each role for every answer that carries a run's text:
 * below editor the text of a block that reads or writes personal data is the
 * marker (docs/pii.md), from editor up it is as written; a pipeline without
 * personal data keeps its text for every role.
 */
describe('log lines and error messages of blocks handling personal data are masked for roles below editor', () => {
  let s: ServedProject;
  const runs: Record<string, string> = {};
  const keys = new Map<Role, string>();
  let hook: Awaited<ReturnType<typeof alertReceiver>>;

  before(async () => {
    hook = await alertReceiver();
    // A chat channel's readers are not known: an alert carries a block's error text only when the block handles no personal data.
    const alerts = (name: string) => ['alerts:', '  - on: [failure]', `    webhook: "${hook.url}/${name}"`];
    s = await serveProject({
      'sluice.yaml': 'name: pii_text\npii:\n  columns: ["*_phone"]\n',
      'pipelines/people.yaml': [
        ...alerts('people'),
        'blocks:',
        '  - { name: raw, file: blocks/raw.sql, pii: [email] }',
        '  - { name: greet, file: blocks/greet.ts, upstream: [raw] }',
        '  - { name: bad, file: blocks/bad.sql, upstream: [raw] }',
        '',
      ].join('\n'),
      'blocks/raw.sql': "SELECT i::INTEGER AS id, 'person' || i || '@example.com' AS email FROM range(1, 4) r(i)\n",
      // A block that logs a value it read, and one whose cast fails on a value: the database's message quotes it.
      'blocks/greet.ts': "import { defineTransformer } from 'sluice';\nexport default defineTransformer(async ({ raw }, ctx) => {\n  ctx.log.info('first address person1@example.com');\n  return [{ n: raw.rowCount }];\n});\n",
      'blocks/bad.sql': 'SELECT email::INTEGER AS n FROM raw\n',
      // Personal data by the project's rule, known from the column the block stored.
      'pipelines/phones.yaml': 'blocks:\n  - { name: src, file: blocks/phones.ts }\n',
      'blocks/phones.ts': "import { defineLoader } from 'sluice';\nexport default defineLoader(async (_inputs, ctx) => {\n  ctx.log.info('calling 555-0199');\n  return [{ id: 1, home_phone: '555-0199' }];\n});\n",
      // A freshness check's message quotes the newest value of its column: a marked one is hidden like a value.
      'pipelines/visits.yaml': ['blocks:', '  - name: seen', '    file: blocks/seen.sql', '    pii: [seen_at]', '    checks:', '      - freshness: { column: seen_at, max_age: 1d }', '        severity: warn', ''].join('\n'),
      'blocks/seen.sql': "SELECT 1 AS id, TIMESTAMP '2024-05-01 10:00:00' AS seen_at\n",
      'pipelines/plain.yaml': [...alerts('plain'), 'blocks:', '  - { name: noisy, file: blocks/noisy.ts }', ''].join('\n'),
      'blocks/noisy.ts': "import { defineLoader } from 'sluice';\nexport default defineLoader(async (_inputs, ctx) => {\n  ctx.log.info('plain line 42');\n  throw new Error('plain failure 42');\n});\n",
    });
    for (const [pipeline, status] of [['people', 'failed'], ['phones', 'succeeded'], ['visits', 'succeeded'], ['plain', 'failed']] as const) {
      runs[pipeline] = (await s.json<{ run_id: string }>(`/api/pipelines/${pipeline}/runs`, { method: 'POST', body: '{}' })).body.run_id;
      assert.equal((await s.waitForRun(runs[pipeline]!)).status, status, pipeline);
    }
    const store = new SqliteRunStore(path.join(s.dir, '.sluice', 'sluice.db'));
    try {
      for (const role of roles) {
        await addUser(store, { name: `text-${role}`, role }, { name: 'test' });
        keys.set(role, await issueApiKey(store, `text-${role}`, { name: 'test' }));
      }
    } finally {
      await store.close();
    }
  });
  after(async () => {
    await s.close();
    hook.server.close();
  });

  const masks = (role: Role) => role === 'viewer' || role === 'operator';

  async function read(role: Role, route: string): Promise<string> {
    const response = await s.api(route, { auth: keys.get(role) });
    assert.equal(response.status, 200, `${route} as ${role}`);
    return response.text();
  }

  /** Holds one answer to the rule: no value and the marker below editor, the value and no marker from editor up. */
  function judge(role: Role, route: string, text: string): void {
    if (masks(role)) {
      assert.doesNotMatch(text, personal, `${route} as ${role}`);
      assert.ok(text.includes(maskedText), `${route} as ${role} shows the marker`);
    } else {
      assert.match(text, personal, `${route} as ${role}`);
      assert.ok(!text.includes(maskedText), `${route} as ${role} shows no marker`);
    }
  }

  it('sends a failure alert without the error text of a block handling personal data, and with the text of one that handles none', async () => {
    const sent = await waitFor(() => (hook.received.length >= 2 ? hook.received : undefined), { what: 'both failure alerts', timeout: 30_000 });
    const body = (name: string) => JSON.stringify(sent.find((r) => r.path === `/${name}`)?.body);
    assert.doesNotMatch(body('people'), personal);
    assert.ok(body('people').includes(maskedText), body('people'));
    assert.match(body('plain'), /plain failure 42/);
  });

  for (const role of roles) {
    it(`${role}: a run's log lines, as JSON, as a file and on the live event stream`, async () => {
      for (const pipeline of ['people', 'phones']) {
        for (const route of [`/api/runs/${runs[pipeline]}/logs`, `/api/runs/${runs[pipeline]}/logs/download`, `/api/runs/${runs[pipeline]}/events`]) judge(role, route, await read(role, route));
      }
      const logs = JSON.parse(await read(role, `/api/runs/${runs.people}/logs?block=greet`)) as { logs: { block: string; level: string; message: string }[] };
      const line = logs.logs.find((l) => l.level === 'info' && (l.message.includes('person1') || l.message === maskedText));
      assert.ok(line, 'the block\'s own line is listed, with its level');
      assert.equal(line.message, masks(role) ? maskedText : 'first address person1@example.com');
    });

    it(`${role}: the failed block's error and the run's, in the run detail and in every list of runs`, async () => {
      const detail = JSON.parse(await read(role, `/api/runs/${runs.people}`)) as { run: { error: { code: string; message: string } }; blocks: { block: string; error: { code: string; message: string; userStack?: string } | null }[] };
      const bad = detail.blocks.find((b) => b.block === 'bad')!.error!;
      assert.equal(bad.code, detail.run.error.code, 'the code stays');
      if (masks(role)) {
        assert.equal(bad.message, maskedText);
        assert.equal(detail.run.error.message, maskedText);
      } else {
        assert.match(bad.message, /person\d@example\.com/, 'the database quoted the value');
      }
      for (const route of [`/api/runs/${runs.people}`, '/api/runs?pipeline=people', '/api/run-list?pipeline=people', '/api/dashboard', '/api/pipelines']) judge(role, route, await read(role, route));
    });

    it(`${role}: the newest value a freshness check quotes from a marked column`, async () => {
      const { checks } = JSON.parse(await read(role, `/api/runs/${runs.visits}/checks`)) as { checks: { kind: string; status: string; message: string; masked?: string[] }[] };
      const [fresh] = checks;
      assert.deepEqual([checks.length, fresh!.kind, fresh!.status], [1, 'freshness', 'failed']);
      if (masks(role)) {
        assert.match(fresh!.message, /^newest seen_at is \[masked\], \S+ before /);
        assert.deepEqual(fresh!.masked, ['seen_at']);
      } else {
        assert.match(fresh!.message, /^newest seen_at is 2024-05-01 10:00:00, /);
        assert.equal(fresh!.masked, undefined);
      }
    });

    it(`${role}: a pipeline without personal data keeps its text`, async () => {
      const logs = await read(role, `/api/runs/${runs.plain}/logs`);
      const detail = await read(role, `/api/runs/${runs.plain}`);
      assert.match(logs, /plain line 42/);
      assert.match(detail, /plain failure 42/);
      assert.ok(!logs.includes(maskedText) && !detail.includes(maskedText));
    });
  }
});
