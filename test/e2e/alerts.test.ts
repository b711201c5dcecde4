import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { alertReceiver } from './alert-receiver.ts';
import { after, before, describe, it } from 'node:test';
import { waitFor } from '../../src/testing/wait-for.ts';
import { sluice, startScheduler, stop, tempDir } from './cli-helpers.ts';

describe('alerts from a CLI run', () => {
  const { dir, cleanup } = tempDir('sluice-alerts-');
  let hook: Awaited<ReturnType<typeof alertReceiver>>;
  before(async () => {
    hook = await alertReceiver();
    const files: Record<string, string> = {
      'sluice.yaml': 'name: alerts\nbase_url: https://sluice.example.com/\n',
      'pipelines/fragile.yaml': [
        'alerts:',
        '  - on: [failure]',
        '    webhook: "${HOOK_URL}/generic"',
        '  - on: [failure]',
        '    slack: "${HOOK_URL}/services/T000/B000/secret-token-123"',
        '  - on: [success]',
        '    webhook: "${HOOK_URL}/success"',
        'blocks:',
        '  - { name: source, file: blocks/source.sql }',
        '  - { name: check, file: blocks/check.sql, upstream: [source] }',
        '',
      ].join('\n'),
      'blocks/source.sql': 'SELECT 1 AS x\n',
      'blocks/check.sql': "SELECT x,\n  error('x must never be 1') AS boom\nFROM source\n",
    };
    for (const [file, content] of Object.entries(files)) {
      mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
      writeFileSync(path.join(dir, file), content);
    }
  });
  after(() => {
    hook.server.close();
    cleanup();
  });

  it('posts the failure to a webhook and a Slack-style hook, naming pipeline, run, block and error', async () => {
    const run = await sluice(dir, ['run', 'fragile'], { HOOK_URL: hook.url });
    assert.equal(run.code, 1);
    const runId = /Run failed (\S+)/.exec(run.stderr)?.[1];
    assert.ok(runId, run.stderr);
    const generic = hook.received.find((r) => r.path === '/generic');
    const slack = hook.received.find((r) => r.path.startsWith('/services/'));
    assert.ok(generic && slack, JSON.stringify(hook.received));
    assert.equal(hook.received.some((r) => r.path === '/success'), false, 'success alerts only when asked for');
    const text = JSON.stringify(generic.body);
    assert.match(text, /fragile/);
    assert.match(text, new RegExp(runId));
    assert.match(text, /check/);
    assert.match(text, /x must never be 1/);
    assert.match(text, new RegExp(`https://sluice\\.example\\.com/runs/${runId}`), 'links to the run');
    assert.match(String(slack.body.text), /fragile/);
    assert.doesNotMatch(run.stdout + run.stderr, /secret-token-123/);
  });
});

describe('deadline alerts from the scheduler', () => {
  const { dir, cleanup } = tempDir('sluice-deadline-');
  let hook: Awaited<ReturnType<typeof alertReceiver>>;
  const children: ChildProcess[] = [];
  const release = path.join(dir, 'release');
  before(async () => {
    hook = await alertReceiver();
    // One hourly interval that ended half a second ago: its run fires at once and is due a second later.
    const start = new Date(Date.now() - 3_600_500).toISOString();
    const files: Record<string, string> = {
      'sluice.yaml': 'name: deadlines\n',
      'pipelines/late.yaml': [
        `schedule: { interval: 1h, start_date: "${start}", catchup: true, deadline: 1s }`,
        'alerts:',
        '  - on: [deadline]',
        `    webhook: "${hook.url}/deadline"`,
        'blocks:',
        '  - { name: slow, file: blocks/slow.ts }',
        '',
      ].join('\n'),
      // The run stays unfinished until the test has seen the alert, however slow the machine.
      'blocks/slow.ts': `import { existsSync } from 'node:fs';\nimport { defineLoader } from 'sluice';\nexport default defineLoader(async () => {\n  while (!existsSync(${JSON.stringify(release)})) await new Promise((r) => setTimeout(r, 50));\n  return [{ done: true }];\n});\n`,
      // Fires every second: its runs show that the scheduler keeps passing over the late run.
      'pipelines/tick.yaml': `schedule: { interval: 1s, start_date: "${new Date().toISOString()}" }\nblocks:\n  - { name: one, file: blocks/one.sql }\n`,
      'blocks/one.sql': 'SELECT 1 AS one\n',
    };
    for (const [file, content] of Object.entries(files)) {
      mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
      writeFileSync(path.join(dir, file), content);
    }
  });
  after(async () => {
    for (const child of children) await stop(child, 'SIGKILL');
    hook.server.close();
    cleanup();
  });

  it('tells the channel once when a scheduled run has not finished by its deadline', async () => {
    const scheduler = startScheduler(dir);
    children.push(scheduler.child);
    await waitFor(() => hook.received.length > 0, { what: 'the deadline alert' });
    const ticks = () => [...scheduler.output().matchAll(/→ tick /g)].length;
    const seen = ticks();
    await waitFor(() => ticks() >= seen + 2, { what: 'two more scheduler passes while the late run is still running' });
    writeFileSync(release, '');
    await waitFor(() => /✓ late/.test(scheduler.output()), { what: 'the late run to finish' });
    await stop(scheduler.child, 'SIGKILL');
    assert.equal(hook.received.length, 1, scheduler.output());
    const text = JSON.stringify(hook.received[0]!.body);
    assert.match(text, /late/);
    assert.match(text, /deadline/);
    assert.match(scheduler.output(), /missed its deadline/);
  });
});
