import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { sluice, tempDir } from './cli-helpers.ts';

/** A local receiver standing in for a chat tool or an incident system. */
function receiver(): Promise<{ server: Server; url: string; received: { path: string; body: Record<string, unknown> }[] }> {
  const received: { path: string; body: Record<string, unknown> }[] = [];
  const server = createServer((req: IncomingMessage, res) => {
    let text = '';
    req.on('data', (d: Buffer) => (text += d.toString()));
    req.on('end', () => {
      received.push({ path: req.url ?? '', body: JSON.parse(text) as Record<string, unknown> });
      res.writeHead(200).end('ok');
    });
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({ server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, received })));
}

describe('alerts from a CLI run', () => {
  const { dir, cleanup } = tempDir('sluice-alerts-');
  let hook: Awaited<ReturnType<typeof receiver>>;
  before(async () => {
    hook = await receiver();
    const files: Record<string, string> = {
      'sluice.yaml': 'name: alerts\n',
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
    assert.match(String(slack.body.text), /fragile/);
    assert.doesNotMatch(run.stdout + run.stderr, /secret-token-123/);
  });
});
