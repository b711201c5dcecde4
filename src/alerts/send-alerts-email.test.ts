import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { after, describe, it } from 'node:test';
import { SMTPServer, type SMTPServerOptions } from 'smtp-server';
import type { AlertEvent } from './alert-event.ts';
import { alertsSchema } from '../core/pipeline/alert-schema.ts';
import { sendAlerts } from './send-alerts.ts';

interface ReceivedMail {
  readonly from: string;
  readonly to: readonly string[];
  readonly user: string | undefined;
  readonly raw: string;
}

const servers: SMTPServer[] = [];
after(async () => {
  for (const server of servers) await new Promise<void>((resolve) => server.close(() => resolve()));
});

/** A local SMTP server without TLS that keeps every message it accepts. */
async function startSmtpServer(options: Partial<SMTPServerOptions> = {}) {
  const received: ReceivedMail[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    allowInsecureAuth: true,
    logger: false,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        received.push({
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          to: session.envelope.rcptTo.map((r) => r.address),
          user: session.user === undefined ? undefined : String(session.user),
          raw: Buffer.concat(chunks).toString('utf8'),
        });
        callback();
      });
    },
    ...options,
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.server.address() as AddressInfo;
  return { port, received };
}

/** The headers and the decoded plain-text body of a single-part message. */
function readMail(raw: string): { subject: string; body: string } {
  const [head = '', ...rest] = raw.split(/\r?\n\r?\n/);
  const headers = head.replace(/\r?\n[ \t]+/g, ' ');
  const subject = /^Subject: (.*)$/im.exec(headers)?.[1] ?? '';
  let body = rest.join('\n\n');
  if (/^Content-Transfer-Encoding: quoted-printable$/im.test(headers)) {
    body = body.replace(/=\r?\n/g, '').replace(/=([0-9A-F]{2})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));
  }
  return { subject, body: body.replace(/\r\n/g, '\n').trim() };
}

const event: AlertEvent = {
  kind: 'failure',
  pipeline: 'daily_sales',
  runId: 'run-7',
  status: 'failed',
  startedAt: '2024-05-02T02:00:00.000Z',
  failedBlock: 'daily_revenue',
  error: { code: 'sql.failed', message: 'column "amount" not found', location: { file: 'blocks/daily_revenue.sql', line: 3 } },
  runUrl: 'https://sluice.example.com/runs/run-7',
};

const fast = { backoffMs: 5, timeoutMs: 2000 };

describe('sendAlerts by e-mail', () => {
  it('mails the plain-text message over SMTP', async () => {
    const smtp = await startSmtpServer();
    const list = alertsSchema.parse([
      {
        email: {
          to: ['ops@example.com', 'data@example.com'],
          from: 'sluice@example.com',
          subject_prefix: '[prod]',
          smtp: { host: '127.0.0.1', port: smtp.port, secure: false },
        },
      },
    ]);

    const results = await sendAlerts(list, event, fast);

    assert.deepEqual(results, [{ channel: 'email ops@example.com, data@example.com', kind: 'email', ok: true, attempts: 1 }]);
    assert.equal(smtp.received.length, 1);
    const mail = smtp.received[0]!;
    assert.equal(mail.from, 'sluice@example.com');
    assert.deepEqual(mail.to, ['ops@example.com', 'data@example.com']);
    const { subject, body } = readMail(mail.raw);
    assert.equal(subject, '[prod] Sluice: pipeline daily_sales failed');
    assert.match(body, /^Pipeline daily_sales failed\.$/m);
    assert.match(body, /^Run: run-7 \(failed\)$/m);
    assert.match(body, /^Failed block: daily_revenue$/m);
    assert.match(body, /^Error: \[sql\.failed\] blocks\/daily_revenue\.sql:3: column "amount" not found$/m);
    assert.match(body, /^Open the run: https:\/\/sluice\.example\.com\/runs\/run-7$/m);
  });

  it('logs in with the SMTP password and never shows it, even when the login is refused', async () => {
    const password = 'smtp-Pa55word-from-env';
    const smtp = await startSmtpServer({
      authOptional: false,
      onAuth(auth, _session, callback) {
        if (auth.username === 'sluice' && auth.password === password) callback(null, { user: auth.username });
        else callback(new Error('Invalid username or password'));
      },
    });
    const entry = (user: string) =>
      alertsSchema.parse([
        {
          email: {
            to: 'ops@example.com',
            from: 'sluice@example.com',
            smtp: { host: '127.0.0.1', port: smtp.port, user, password: '${SLUICE_TEST_SMTP_PASSWORD}' },
          },
        },
      ]);
    const env = { SLUICE_TEST_SMTP_PASSWORD: password };

    const [accepted] = await sendAlerts(entry('sluice'), event, { ...fast, env });
    const [refused] = await sendAlerts(entry('someone-else'), event, { ...fast, env });

    assert.equal(accepted?.ok, true);
    assert.equal(smtp.received[0]?.user, 'sluice');
    assert.equal(refused?.ok, false);
    assert.equal(refused.attempts, 1, 'a refused login is not retried');
    assert.equal(refused.error?.code, 'alert.smtp_failed');
    assert.equal(refused.error.retryable, false);
    assert.match(refused.error.message, /^alert to email ops@example\.com failed: EAUTH /);
    const reported = JSON.stringify([accepted, refused]);
    assert.ok(!reported.includes(password), `the password leaked into ${reported}`);
  });

  it('retries when the SMTP server cannot be reached, then reports it', async () => {
    const smtp = await startSmtpServer();
    const closed = servers.pop()!;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const list = alertsSchema.parse([
      { email: { to: 'ops@example.com', from: 'sluice@example.com', smtp: { host: '127.0.0.1', port: smtp.port } } },
    ]);
    const [result] = await sendAlerts(list, event, { ...fast, retries: 1 });
    assert.equal(result?.ok, false);
    assert.equal(result.attempts, 2);
    assert.equal(result.error?.code, 'alert.smtp_failed');
    assert.equal(result.error.retryable, true);
  });
});
