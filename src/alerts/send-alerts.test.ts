import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, describe, it } from 'node:test';
import { registerSecret } from '../core/project/secrets.ts';
import type { AlertEvent } from './alert-event.ts';
import { alertsSchema, type AlertFile } from '../core/pipeline/alert-schema.ts';
import { sendAlerts } from './send-alerts.ts';

interface Received {
  readonly path: string;
  readonly contentType: string | undefined;
  readonly body: Record<string, unknown>;
}

type Answer = number | 'silent';

const servers: http.Server[] = [];
after(async () => {
  for (const server of servers) {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
});

/** A local receiver answering the n-th request (1-based) with `answer(n)`; 'silent' never answers. */
async function startReceiver(answer: (n: number) => Answer = () => 200, reply = 'ok') {
  const received: Received[] = [];
  const server = http.createServer((req, res) => {
    let data = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (data += chunk));
    req.on('end', () => {
      received.push({ path: req.url ?? '', contentType: req.headers['content-type'], body: JSON.parse(data) });
      const status = answer(received.length);
      if (status !== 'silent') res.writeHead(status, { 'content-type': 'text/plain' }).end(reply);
    });
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { origin: `http://127.0.0.1:${port}`, received };
}

const alerts = (entries: AlertFile[]) => alertsSchema.parse(entries);

const event: AlertEvent = {
  kind: 'failure',
  pipeline: 'daily_sales',
  runId: 'run-42',
  status: 'failed',
  logicalDate: '2024-05-01',
  startedAt: '2024-05-02T02:00:00.000Z',
  endedAt: '2024-05-02T02:00:03.000Z',
  durationMs: 3000,
  failedBlock: 'clean_sales',
  error: {
    code: 'block.failed',
    message: 'amount <b> & co is not a number',
    location: { file: 'blocks/clean_sales.ts', line: 12, column: 5, block: 'clean_sales' },
  },
  runUrl: 'https://sluice.example.com/runs/run-42',
};

const fast = { backoffMs: 5, timeoutMs: 2000 };

describe('sendAlerts to a webhook', () => {
  it('posts the event and its text as JSON', async () => {
    const receiver = await startReceiver();
    const results = await sendAlerts(alerts([{ webhook: `${receiver.origin}/hooks/sluice?token=abc` }]), event, fast);

    assert.deepEqual(results, [{ channel: `webhook ${receiver.origin}`, kind: 'webhook', ok: true, attempts: 1 }]);
    assert.equal(receiver.received.length, 1);
    const { path, contentType, body } = receiver.received[0]!;
    assert.equal(path, '/hooks/sluice?token=abc');
    assert.match(contentType ?? '', /^application\/json/);
    assert.equal(body.kind, 'failure');
    assert.equal(body.pipeline, 'daily_sales');
    assert.equal(body.runId, 'run-42');
    assert.equal(body.failedBlock, 'clean_sales');
    assert.deepEqual(body.error, event.error);
    assert.equal(body.runUrl, 'https://sluice.example.com/runs/run-42');
    assert.equal(body.title, 'Sluice: pipeline daily_sales failed');
    assert.match(String(body.text), /^Error: \[block\.failed\] blocks\/clean_sales\.ts:12:5: amount <b> & co is not a number$/m);
    assert.match(String(body.text), /^Open the run: https:\/\/sluice\.example\.com\/runs\/run-42$/m);
  });

  it('sends only to the alerts whose `on` lists the event', async () => {
    const receiver = await startReceiver();
    const list = alerts([
      { on: ['success'], webhook: `${receiver.origin}/success` },
      { on: ['failure', 'deadline'], webhook: `${receiver.origin}/failure-or-deadline` },
      { on: ['deadline'], webhook: `${receiver.origin}/deadline` },
      { webhook: `${receiver.origin}/default` },
    ]);

    const results = await sendAlerts(list, event, fast);
    assert.equal(results.length, 2);
    assert.deepEqual(receiver.received.map((r) => r.path).sort(), ['/default', '/failure-or-deadline']);

    receiver.received.length = 0;
    await sendAlerts(list, { ...event, kind: 'deadline', status: 'running' }, fast);
    assert.deepEqual(receiver.received.map((r) => r.path).sort(), ['/deadline', '/failure-or-deadline']);

    assert.deepEqual(await sendAlerts(list.slice(1, 3), { ...event, kind: 'success', status: 'succeeded' }, fast), []);
  });

  it('retries a 500 and then reports the failure without throwing', async () => {
    const receiver = await startReceiver(() => 500, 'database is down');
    const [result] = await sendAlerts(alerts([{ webhook: `${receiver.origin}/hook` }]), event, { ...fast, retries: 2 });

    assert.equal(receiver.received.length, 3);
    assert.equal(result?.ok, false);
    assert.equal(result.attempts, 3);
    assert.equal(result.error?.code, 'alert.http_failed');
    assert.equal(result.error.retryable, true);
    assert.equal(result.error.message, `alert to webhook ${receiver.origin} was refused: HTTP 500: database is down`);
  });

  it('delivers when a retry after a 503 or 429 succeeds', async () => {
    const receiver = await startReceiver((n) => (n === 1 ? 503 : n === 2 ? 429 : 200));
    const [result] = await sendAlerts(alerts([{ webhook: `${receiver.origin}/hook` }]), event, fast);
    assert.deepEqual(result, { channel: `webhook ${receiver.origin}`, kind: 'webhook', ok: true, attempts: 3 });
  });

  it('does not retry a 400', async () => {
    const receiver = await startReceiver(() => 400, 'bad payload');
    const [result] = await sendAlerts(alerts([{ webhook: `${receiver.origin}/hook` }]), event, fast);
    assert.equal(receiver.received.length, 1);
    assert.equal(result?.attempts, 1);
    assert.equal(result.error?.code, 'alert.http_failed');
    assert.equal(result.error.retryable, false);
    assert.match(result.error.message, /HTTP 400: bad payload/);
  });

  it('gives up on a receiver that never answers when the attempt times out', async () => {
    const receiver = await startReceiver(() => 'silent');
    const started = Date.now();
    const [result] = await sendAlerts(alerts([{ webhook: `${receiver.origin}/hook` }]), event, {
      timeoutMs: 150,
      retries: 1,
      backoffMs: 5,
    });
    assert.ok(Date.now() - started < 2000, 'expected the timeout to end the wait');
    assert.equal(receiver.received.length, 2);
    assert.equal(result?.ok, false);
    assert.equal(result.attempts, 2);
    assert.equal(result.error?.code, 'alert.timeout');
    assert.match(result.error.message, /got no answer within 150 ms/);
  });

  it('reports a receiver that cannot be reached', async () => {
    const receiver = await startReceiver();
    const closed = servers.pop()!;
    await new Promise((resolve) => closed.close(resolve));
    const [result] = await sendAlerts(alerts([{ webhook: `${receiver.origin}/hook` }]), event, { ...fast, retries: 0 });
    assert.equal(result?.error?.code, 'alert.unreachable');
    assert.equal(result.error.retryable, true);
    assert.match(result.error.message, /ECONNREFUSED/);
  });

  it('stops when the caller cancels', async () => {
    const controller = new AbortController();
    // Cancelled while the receiver holds the request unanswered; were the
    // cancel ignored, the send would end in a timeout (alert.timeout) instead.
    const receiver = await startReceiver(() => {
      controller.abort();
      return 'silent';
    });
    const [result] = await sendAlerts(alerts([{ webhook: `${receiver.origin}/hook` }]), event, {
      signal: controller.signal,
      timeoutMs: 60_000,
    });
    assert.equal(result?.error?.code, 'alert.cancelled');
    assert.equal(result.attempts, 1);
  });

  it('reads the URL from the environment and reports a missing variable as a failed alert', async () => {
    const receiver = await startReceiver();
    const list = alerts([{ webhook: '${SLUICE_TEST_ALERT_URL}' }]);

    const [sent] = await sendAlerts(list, event, { ...fast, env: { SLUICE_TEST_ALERT_URL: `${receiver.origin}/env` } });
    assert.equal(sent?.ok, true);
    assert.equal(receiver.received[0]?.path, '/env');

    const [missing] = await sendAlerts(list, event, { ...fast, env: {} });
    assert.equal(missing?.ok, false);
    assert.equal(missing.attempts, 0);
    assert.equal(missing.channel, 'webhook ${SLUICE_TEST_ALERT_URL}');
    assert.equal(missing.error?.code, 'alert.env_missing');
    assert.match(missing.error.message, /needs the environment variable SLUICE_TEST_ALERT_URL/);

    const [invalid] = await sendAlerts(list, event, { ...fast, env: { SLUICE_TEST_ALERT_URL: 'ftp://files.example.com' } });
    assert.equal(invalid?.error?.code, 'alert.invalid_url');
    assert.equal(invalid.error.retryable, false);
  });

  it('masks registered secrets that the run error quotes', async () => {
    const receiver = await startReceiver();
    registerSecret('pg-secret-in-message');
    const leaky = { ...event, error: { code: 'postgres.connect_failed', message: 'password pg-secret-in-message rejected' } };
    await sendAlerts(alerts([{ webhook: `${receiver.origin}/hook` }]), leaky, fast);
    const body = receiver.received[0]!.body;
    assert.deepEqual(body.error, { code: 'postgres.connect_failed', message: 'password *** rejected' });
    assert.ok(!JSON.stringify(body).includes('pg-secret-in-message'));
  });
});

describe('sendAlerts to Slack', () => {
  it('posts text and blocks in the incoming-webhook format, escaped for mrkdwn', async () => {
    const receiver = await startReceiver();
    const [result] = await sendAlerts(alerts([{ slack: `${receiver.origin}/services/T000/B000/slackpath1` }]), event, fast);
    assert.equal(result?.ok, true);

    const { path, body } = receiver.received[0]!;
    assert.equal(path, '/services/T000/B000/slackpath1');
    assert.equal(body.text, 'Pipeline daily_sales failed in block clean_sales: amount &lt;b&gt; &amp; co is not a number');
    assert.deepEqual(body.blocks, [
      { type: 'header', text: { type: 'plain_text', text: 'Sluice: pipeline daily_sales failed' } },
      {
        type: 'section',
        fields: [
          { type: 'mrkdwn', text: '*Pipeline*\ndaily_sales' },
          { type: 'mrkdwn', text: '*Run*\n`run-42` (failed)' },
          { type: 'mrkdwn', text: '*Failed block*\n`clean_sales`' },
          { type: 'mrkdwn', text: '*Logical date*\n2024-05-01' },
          { type: 'mrkdwn', text: '*Duration*\n3.0 s' },
        ],
      },
      {
        type: 'section',
        text: {
          type: 'mrkdwn',
          text: '*Error* `block.failed` at `blocks/clean_sales.ts:12:5`\n```amount &lt;b&gt; &amp; co is not a number```',
        },
      },
      { type: 'section', text: { type: 'mrkdwn', text: '<https://sluice.example.com/runs/run-42|Open the run>' } },
    ]);
  });

  it('keeps the webhook path, its secret, out of results and errors', async () => {
    const receiver = await startReceiver((n) => (n === 1 ? 200 : 404), 'no_service');
    const secretPath = '/services/T0SECRET/B0SECRET/slackTokenXyz987';
    const list = alerts([{ slack: `${receiver.origin}${secretPath}` }]);

    const [sent] = await sendAlerts(list, event, fast);
    const [refused] = await sendAlerts(list, event, fast);
    const [fromEnv] = await sendAlerts(alerts([{ slack: '${SLUICE_TEST_SLACK_URL}' }]), event, {
      ...fast,
      env: { SLUICE_TEST_SLACK_URL: `${receiver.origin}/services/T1/B1/envSlackToken456` },
    });

    assert.equal(sent?.ok, true);
    assert.equal(sent.channel, `slack ${receiver.origin}`);
    assert.equal(refused?.error?.code, 'alert.http_failed');
    assert.match(refused.error.message, /^alert to slack http:\/\/127\.0\.0\.1:\d+ was refused: HTTP 404: no_service$/);
    assert.equal(fromEnv?.ok, false);
    const reported = JSON.stringify([sent, refused, fromEnv]);
    for (const secret of ['T0SECRET', 'slackTokenXyz987', 'envSlackToken456', '/services']) {
      assert.ok(!reported.includes(secret), `${secret} leaked into ${reported}`);
    }
  });
});
