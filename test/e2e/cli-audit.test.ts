import assert from 'node:assert/strict';
import os from 'node:os';
import { after, describe, it } from 'node:test';
import { sluice, tempDir, writeProject } from './cli-helpers.ts';

describe('sluice audit', () => {
  const { dir, cleanup } = tempDir('sluice-audit-');
  after(cleanup);
  writeProject(dir, { 'sluice.yaml': 'name: audit_cli\n', 'dictionaries/categories.yaml': 'values:\n  Electronics: []\n' });
  const user = `cli:${os.userInfo().username}`;

  it('records review decisions taken on the command line under the operating system user', async () => {
    const review = await sluice(dir, ['dict', 'review', 'categories', '--accept', 'Electrical=Electronics', '--reject', 'Misc']);
    assert.equal(review.code, 0, review.stderr);
    const listed = await sluice(dir, ['audit', '--json']);
    assert.equal(listed.code, 0, listed.stderr);
    const entries = JSON.parse(listed.stdout) as { actor: string; action: string; target: string; detail: unknown }[];
    assert.deepEqual(entries.map((e) => [e.actor, e.action, e.target]), [[user, 'dictionary.decide', 'categories']]);
    assert.deepEqual(entries[0]!.detail, { decisions: [{ value: 'Electrical', canonical: 'Electronics' }, { value: 'Misc', canonical: null }] });
  });

  it('shows a table, filters, and refuses a bad time', async () => {
    const table = await sluice(dir, ['audit', '--action', 'dictionary']);
    assert.equal(table.code, 0, table.stderr);
    assert.match(table.stdout, /actor\s+action\s+target/);
    assert.match(table.stdout, new RegExp(`${user}\\s+dictionary\\.decide\\s+categories`));
    assert.match((await sluice(dir, ['audit', '--actor', 'token'])).stdout, /no audit entries match/);
    assert.match((await sluice(dir, ['audit', '--since', '2999-01-01'])).stdout, /no audit entries match/);
    const bad = await sluice(dir, ['audit', '--since', 'soon']);
    assert.notEqual(bad.code, 0);
    assert.match(bad.stderr, /--since takes a date or an ISO time; got 'soon'/);
  });
});
