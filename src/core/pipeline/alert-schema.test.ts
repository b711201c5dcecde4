import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parse } from 'yaml';
import { alertsSchema } from './alert-schema.ts';

const parseAlerts = (text: string) => alertsSchema.safeParse(parse(text).alerts);

const issues = (text: string): string => {
  const result = parseAlerts(text);
  assert.equal(result.success, false, 'expected the alerts to be rejected');
  return result.error?.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('\n') ?? '';
};

describe('alertsSchema', () => {
  it('reads one entry per channel, with the events each wants', () => {
    const result = parseAlerts(`
alerts:
  - on: [failure]
    webhook: \${ALERT_WEBHOOK_URL}
  - on: [failure, deadline]
    slack: https://hooks.slack.com/services/T0/B0/xyz
  - on: [failure]
    email: { to: [ops@example.com], from: sluice@example.com, smtp: { host: smtp.example.com, port: 587, user: sluice, password: "\${SMTP_PASSWORD}", secure: false } }
`);
    assert.ok(result.success, result.error?.message);
    assert.deepEqual(result.data, [
      { on: ['failure'], channel: { kind: 'webhook', url: '${ALERT_WEBHOOK_URL}' } },
      { on: ['failure', 'deadline'], channel: { kind: 'slack', url: 'https://hooks.slack.com/services/T0/B0/xyz' } },
      {
        on: ['failure'],
        channel: {
          kind: 'email',
          to: ['ops@example.com'],
          from: 'sluice@example.com',
          subjectPrefix: undefined,
          smtp: { host: 'smtp.example.com', port: 587, user: 'sluice', password: '${SMTP_PASSWORD}', secure: false },
        },
      },
    ]);
  });

  it('alerts on failure when no events are named, and defaults the SMTP port to 587', () => {
    const result = parseAlerts(`
alerts:
  - webhook: https://alerts.example.com/hook
  - email: { to: ops@example.com, from: "Sluice <sluice@example.com>", smtp: { host: mail } }
`);
    assert.ok(result.success, result.error?.message);
    assert.deepEqual(result.data[0]?.on, ['failure']);
    const email = result.data[1]?.channel;
    assert.equal(email?.kind, 'email');
    assert.deepEqual(email.to, ['ops@example.com']);
    assert.equal(email.smtp.port, 587);
  });

  it('is an empty list when a pipeline has no alerts', () => {
    assert.deepEqual(alertsSchema.parse(undefined), []);
  });

  it('rejects an entry with two channels', () => {
    assert.match(
      issues('alerts:\n  - webhook: https://a.example.com\n    slack: https://hooks.slack.com/services/x\n'),
      /exactly one channel, this one has webhook and slack/,
    );
  });

  it('rejects an entry with no channel', () => {
    assert.match(issues('alerts:\n  - on: [failure]\n'), /needs a channel: webhook, slack or email/);
  });

  it('rejects unknown events, unknown keys and URLs that are not http(s)', () => {
    assert.match(issues('alerts:\n  - on: [retry]\n    webhook: https://a.example.com\n'), /^0\.on\.0: /m);
    assert.match(issues('alerts:\n  - webhok: https://a.example.com\n'), /webhok/);
    assert.match(issues('alerts:\n  - webhook: ftp://a.example.com\n'), /0\.webhook: expected an http\(s\) URL or a \$\{VARIABLE\}/);
  });

  it('checks e-mail addresses and wants SMTP user and password together', () => {
    assert.match(issues('alerts:\n  - email: { to: [ops], from: a@b.c, smtp: { host: h } }\n'), /0\.email\.to\.0: expected an e-mail address/);
    assert.match(
      issues('alerts:\n  - email: { to: [a@b.c], from: a@b.c, smtp: { host: h, user: u } }\n'),
      /both user and password/,
    );
  });
});
