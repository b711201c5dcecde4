import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { SMTPServer } from 'smtp-server';
import { waitFor } from '../../src/testing/wait-for.ts';
import { serveProject, type ServedProject } from './api-server.ts';

const secretPath = `hook-${process.pid}-${Date.now()}`;
const smtpPassword = `Smtp-${process.pid}-${Date.now()}`;
const send = (method: string, body?: unknown): RequestInit => ({ method, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });

interface Channel { readonly index: number; readonly on: string[]; readonly kind: string; readonly label: string; readonly variables: { name: string; set: boolean }[] }
interface Result { readonly ok: boolean; readonly channel: string; readonly error?: { message: string } }

/** A local HTTP receiver that keeps every JSON body posted to it. */
async function startReceiver(): Promise<{ server: Server; port: number; bodies: Record<string, unknown>[] }> {
  const bodies: Record<string, unknown>[] = [];
  const server = createServer((request, response) => {
    let text = '';
    request.on('data', (chunk: Buffer) => (text += chunk.toString()));
    request.on('end', () => {
      bodies.push(JSON.parse(text) as Record<string, unknown>);
      response.writeHead(200).end('ok');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, port: (server.address() as AddressInfo).port, bodies };
}

describe('sluice serve: alert channels of the project and of a pipeline, with a real test send', () => {
  let s: ServedProject;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  const mails: { user: string | undefined; raw: string }[] = [];
  let smtp: SMTPServer;
  let smtpPort: number;
  const answers: string[] = [];
  const call = async <T,>(route: string, init?: RequestInit) => {
    const answer = await s.json<T>(route, init);
    answers.push(JSON.stringify(answer.body));
    return answer;
  };
  const read = (file: string) => readFileSync(path.join(s.dir, file), 'utf8');

  before(async () => {
    receiver = await startReceiver();
    smtp = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      allowInsecureAuth: true,
      logger: false,
      onAuth(auth, _session, callback) {
        if (auth.password === smtpPassword) callback(null, { user: auth.username });
        else callback(new Error('bad password'));
      },
      onData(stream, session, callback) {
        let raw = '';
        stream.on('data', (chunk: Buffer) => (raw += chunk.toString()));
        stream.on('end', () => {
          mails.push({ user: session.user === undefined ? undefined : String(session.user), raw });
          callback();
        });
      },
    });
    await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', resolve));
    smtpPort = (smtp.server.address() as AddressInfo).port;
    s = await serveProject({
      'pipelines/breaks.yaml': 'blocks:\n  - { name: boom, file: blocks/boom.sql }\n',
      'blocks/boom.sql': 'SELECT * FROM no_such_table_here\n',
    });
  });
  after(async () => {
    await s?.close();
    await new Promise<void>((resolve) => receiver.server.close(() => resolve()));
    await new Promise<void>((resolve) => smtp.close(() => resolve()));
    for (const text of answers) assert.ok(!text.includes(secretPath) && !text.includes(smtpPassword), `no answer carries a secret: ${text}`);
  });

  it('adds a project webhook, keeping its URL out of sluice.yaml, and sends a real test alert through it', async () => {
    const url = `http://127.0.0.1:${receiver.port}/${secretPath}`;
    const added = await call<{ channels: Channel[] }>('/api/alerts/project', send('POST', { on: ['failure'], kind: 'webhook', url }));
    assert.equal(added.status, 201, JSON.stringify(added.body));
    assert.equal(added.body.channels.length, 1);
    const [variable] = added.body.channels[0]!.variables;
    assert.match(variable!.name, /^SLUICE_ALERT_PROJECT_/);
    assert.equal(variable!.set, true);
    assert.ok(!read('sluice.yaml').includes(secretPath), 'the URL is not in the file git sees');
    assert.ok(read('sluice.yaml').includes(`webhook: \${${variable!.name}}`));
    assert.ok(read('.sluice/secrets.env').includes(secretPath));

    const result = await call<Result>('/api/alerts/project/0/test', send('POST'));
    assert.equal(result.body.ok, true, JSON.stringify(result.body));
    const body = await waitFor(() => receiver.bodies.find((b) => b.test === true), { what: 'the test alert', timeout: 10_000 });
    assert.match(String(body.title), /test alert for project api_test/);
  });

  it('tells the project channel when any pipeline fails', async () => {
    const { body } = await call<{ run_id: string }>('/api/pipelines/breaks/runs', send('POST', {}));
    assert.equal((await s.waitForRun(body.run_id)).status, 'failed');
    const alert = await waitFor(() => receiver.bodies.find((b) => b.runId === body.run_id), { what: 'the failure alert', timeout: 20_000 });
    assert.equal(alert.kind, 'failure');
    assert.equal(alert.pipeline, 'breaks');
  });

  it('adds a pipeline e-mail channel whose SMTP password is typed once, and mails a test through a real SMTP listener', async () => {
    const email = { to: ['ops@example.com'], from: 'sluice@example.com', smtp: { host: '127.0.0.1', port: smtpPort, user: 'sluice', password: smtpPassword } };
    const added = await call<{ channels: Channel[] }>('/api/alerts/pipelines/breaks', send('POST', { on: ['failure', 'deadline'], kind: 'email', email }));
    assert.equal(added.status, 201, JSON.stringify(added.body));
    assert.equal(added.body.channels[0]!.label, 'email ops@example.com');
    assert.ok(!read('pipelines/breaks.yaml').includes(smtpPassword));
    const result = await call<Result>('/api/alerts/pipelines/breaks/0/test', send('POST'));
    assert.equal(result.body.ok, true, JSON.stringify(result.body));
    const mail = await waitFor(() => mails.find((m) => /test alert for pipeline breaks/.test(m.raw)), { what: 'the test mail', timeout: 10_000 });
    assert.equal(mail.user, 'sluice');
  });

  it('answers a failed test send with the reason, secrets masked', async () => {
    const closed = await startReceiver();
    await new Promise<void>((resolve) => closed.server.close(() => resolve()));
    await call('/api/alerts/project', send('POST', { on: ['failure'], kind: 'slack', url: `http://127.0.0.1:${closed.port}/${secretPath}/slack` }));
    const result = await call<Result>('/api/alerts/project/1/test', send('POST'));
    assert.equal(result.body.ok, false);
    assert.ok(result.body.error?.message, 'says why');
  });

  it('changes the events of a channel, removes it with its kept secret, and refuses a bad URL', async () => {
    const changed = await call<{ channels: Channel[] }>('/api/alerts/project/0', send('PATCH', { on: ['failure', 'success'] }));
    assert.deepEqual(changed.body.channels[0]!.on, ['failure', 'success']);
    assert.match(read('sluice.yaml'), /- failure\n\s+- success/);
    const variable = changed.body.channels[0]!.variables[0]!.name;
    const removed = await call<{ channels: Channel[] }>('/api/alerts/project/0', send('DELETE'));
    assert.equal(removed.body.channels.length, 1, 'the slack one is left');
    assert.ok(!read('.sluice/secrets.env').includes(`${variable}=`), 'its secret went with it');
    const bad = await call<{ error: { message: string } }>('/api/alerts/project', send('POST', { on: ['failure'], kind: 'webhook', url: 'not a url' }));
    assert.equal(bad.status, 400);
    assert.match(bad.body.error.message, /http\(s\) URL/);
  });
});
