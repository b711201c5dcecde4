import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { SMTPServer } from 'smtp-server';
import { requirePrerequisites } from '../../src/testing/require-prerequisites.ts';
import { waitFor } from '../../src/testing/wait-for.ts';
import { browseSignedIn, ensureWebBuilt, screenshot, serveProject, type ServedProject } from './browser-helpers.ts';

const skip = await requirePrerequisites('chromium');
const secretPath = `ui-hook-${process.pid}-${Date.now()}`;
const smtpPassword = `UiSmtp-${process.pid}-${Date.now()}`;

describe('the alerts page: channels for the project and a pipeline, saved to the files, with a real test send', { skip }, () => {
  let served: ServedProject;
  let browser: Browser;
  let page: Page;
  let problems: string[];
  let receiver: Server;
  let smtp: SMTPServer;
  const hooks: Record<string, unknown>[] = [];
  const mails: string[] = [];
  const read = (file: string) => readFileSync(path.join(served.dir, file), 'utf8');
  const port = (server: { address(): unknown }) => (server.address() as AddressInfo).port;

  before(async () => {
    ensureWebBuilt();
    receiver = createServer((request, response) => {
      let text = '';
      request.on('data', (chunk: Buffer) => (text += chunk.toString()));
      request.on('end', () => {
        hooks.push(JSON.parse(text) as Record<string, unknown>);
        response.writeHead(204).end();
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    smtp = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      allowInsecureAuth: true,
      logger: false,
      onAuth: (auth, _session, callback) => (auth.password === smtpPassword ? callback(null, { user: auth.username }) : callback(new Error('bad password'))),
      onData(stream, _session, callback) {
        let raw = '';
        stream.on('data', (chunk: Buffer) => (raw += chunk.toString()));
        stream.on('end', () => {
          mails.push(raw);
          callback();
        });
      },
    });
    await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', resolve));
    served = await serveProject({
      'sluice.yaml': 'name: alerts_page\n',
      'pipelines/orders.yaml': 'blocks:\n  - { name: one, file: blocks/one.sql }\n',
      'blocks/one.sql': 'SELECT 1 AS one\n',
    });
    ({ browser, page, problems } = await browseSignedIn(served));
    await page.getByTestId('nav-alerts').click();
    await page.getByTestId('alerts-page').waitFor();
  });
  after(async () => {
    await browser?.close();
    await served?.close();
    await new Promise<void>((resolve) => receiver.close(() => resolve()));
    await new Promise<void>((resolve) => smtp.close(() => resolve()));
  });

  it('adds a project webhook, keeps its URL out of sight and out of git, and sends a real test alert', async () => {
    await page.getByTestId('alerts-project-add').click();
    await page.getByTestId('alerts-project-new-url').fill(`http://127.0.0.1:${port(receiver)}/${secretPath}`);
    await page.getByTestId('alerts-project-new-save').click();
    const row = page.getByTestId('alerts-project-channel-0');
    await row.waitFor();
    assert.match(await row.innerText(), /webhook/);
    assert.ok(!(await page.locator('body').innerText()).includes(secretPath), 'the URL is never shown');
    assert.match(read('sluice.yaml'), /webhook: \$\{SLUICE_ALERT_PROJECT_[0-9A-F]+\}/);
    assert.ok(!read('sluice.yaml').includes(secretPath));

    await page.getByTestId('alerts-project-channel-0-test').click();
    await page.locator('[data-testid="alerts-project-channel-0-result"] .text-ok').waitFor();
    const hook = await waitFor(() => hooks.find((h) => h.test === true), { what: 'the test alert at the receiver', timeout: 10_000 });
    assert.match(String(hook.title), /test alert for project alerts_page/);

    await page.getByTestId('alerts-project-channel-0-success').click();
    await page.locator('[data-testid="alerts-project-channel-0-success"]:checked').waitFor({ state: 'attached' });
    await waitFor(() => /- failure\n\s+- success/.test(read('sluice.yaml')), { what: 'the events in sluice.yaml' });
  });

  it('adds an e-mail channel to a pipeline and mails a test through a real SMTP listener', async () => {
    const card = 'alerts-pipeline-orders';
    await page.getByTestId(`${card}-add`).click();
    await page.getByTestId(`${card}-new-kind`).selectOption('email');
    await page.getByTestId(`${card}-new-on-deadline`).check();
    await page.getByTestId(`${card}-new-to`).fill('ops@example.com');
    await page.getByTestId(`${card}-new-from`).fill('sluice@example.com');
    await page.getByTestId(`${card}-new-host`).fill('127.0.0.1');
    await page.getByTestId(`${card}-new-port`).fill(String(port(smtp.server)));
    await page.getByTestId(`${card}-new-user`).fill('sluice');
    await page.getByTestId(`${card}-new-password`).fill(smtpPassword);
    await screenshot(page, 'alerts-add-email');
    await page.getByTestId(`${card}-new-save`).click();
    await page.getByTestId(`${card}-channel-0`).waitFor();
    const file = read('pipelines/orders.yaml');
    assert.match(file, /to:\n\s+- ops@example.com/);
    assert.match(file, /- deadline/);
    assert.ok(!file.includes(smtpPassword), 'the password is not in the pipeline file');

    await page.getByTestId(`${card}-channel-0-test`).click();
    await page.locator(`[data-testid="${card}-channel-0-result"] .text-ok`).waitFor();
    await waitFor(() => mails.find((m) => /test alert for pipeline orders/.test(m)), { what: 'the test mail', timeout: 10_000 });
    await screenshot(page, 'alerts-page');
  });

  it('shows why a test send failed', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const deadPort = port(closed);
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const card = 'alerts-pipeline-orders';
    await page.getByTestId(`${card}-add`).click();
    await page.getByTestId(`${card}-new-kind`).selectOption('slack');
    await page.getByTestId(`${card}-new-url`).fill(`http://127.0.0.1:${deadPort}/${secretPath}`);
    await page.getByTestId(`${card}-new-save`).click();
    await page.getByTestId(`${card}-channel-1-test`).click();
    const failed = page.locator(`[data-testid="${card}-channel-1-result"] .text-error`);
    await failed.waitFor();
    assert.ok(!(await failed.innerText()).includes(secretPath), 'the reason does not show the secret');
    assert.deepEqual(problems, []);
  });
});
