import { useState, type FormEvent } from 'react';
import { alertCalls } from './alert-calls.ts';
import { ErrorNote } from '../../components/ErrorNote.tsx';
import { alertEvents, type AlertEventName } from './alert-types.ts';

type Kind = 'webhook' | 'slack' | 'email';

const kinds: readonly { readonly kind: Kind; readonly label: string }[] = [
  { kind: 'webhook', label: 'Webhook (a JSON POST)' },
  { kind: 'slack', label: 'Slack-compatible incoming webhook' },
  { kind: 'email', label: 'E-mail (SMTP)' },
];

/** Adds one channel; a secret typed here (a webhook URL, an SMTP password) is kept on the server and never shown again. */
export function AddChannelForm({ pipeline, testId, onAdded }: { pipeline: string | undefined; testId: string; onAdded: () => void }) {
  const [kind, setKind] = useState<Kind>('webhook');
  const [on, setOn] = useState<readonly AlertEventName[]>(['failure']);
  const [url, setUrl] = useState('');
  const [mail, setMail] = useState({ to: '', from: '', subject_prefix: '', host: '', port: '587', user: '', password: '' });
  const [error, setError] = useState<Error>();
  const id = (field: string) => `${testId}-new-${field}`;
  const text = (field: keyof typeof mail, label: string, placeholder: string, type = 'text') => (
    <label className="field">
      <span>{label}</span>
      <input type={type} value={mail[field]} placeholder={placeholder} autoComplete="off" onChange={(e) => setMail({ ...mail, [field]: e.target.value })} data-testid={id(field)} />
    </label>
  );

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const body =
      kind === 'email'
        ? {
            on,
            kind,
            email: {
              to: mail.to.split(',').map((a) => a.trim()).filter(Boolean),
              from: mail.from.trim(),
              ...(mail.subject_prefix.trim() ? { subject_prefix: mail.subject_prefix.trim() } : {}),
              smtp: { host: mail.host.trim(), port: Number(mail.port) || 587, ...(mail.user.trim() ? { user: mail.user.trim(), password: mail.password } : {}) },
            },
          }
        : { on, kind, url: url.trim() };
    alertCalls(pipeline).add(body).then(onAdded, setError);
  };

  return (
    <form className="form alerts-add" onSubmit={submit} data-testid={id('form')}>
      <div className="form-grid">
        <label className="field">
          <span>Channel</span>
          <select value={kind} onChange={(e) => setKind(e.target.value as Kind)} data-testid={id('kind')}>
            {kinds.map((k) => <option key={k.kind} value={k.kind}>{k.label}</option>)}
          </select>
        </label>
        <fieldset className="fieldset alerts-on">
          <legend>Tell it when a run</legend>
          {alertEvents.map((e) => (
            <label key={e} className="field checkbox small">
              <input type="checkbox" checked={on.includes(e)} onChange={(x) => setOn(x.target.checked ? [...on, e] : on.filter((o) => o !== e))} data-testid={id(`on-${e}`)} />
              <span>{e === 'failure' ? 'fails' : e === 'success' ? 'succeeds' : 'misses its deadline'}</span>
            </label>
          ))}
        </fieldset>
      </div>
      {kind !== 'email' ? (
        <label className="field">
          <span>URL</span>
          <input className="mono" value={url} autoComplete="off" spellCheck={false} placeholder={kind === 'slack' ? 'https://hooks.slack.com/services/…  or  ${SLACK_WEBHOOK_URL}' : 'https://alerts.example.com/hook  or  ${ALERT_WEBHOOK_URL}'} onChange={(e) => setUrl(e.target.value)} data-testid={id('url')} />
        </label>
      ) : (
        <div className="form-grid">
          {text('to', 'To (comma-separated)', 'ops@example.com')}
          {text('from', 'From', 'sluice@example.com')}
          {text('subject_prefix', 'Subject prefix', '[prod]')}
          {text('host', 'SMTP host', 'smtp.example.com')}
          {text('port', 'SMTP port', '587')}
          {text('user', 'SMTP user', '(none)')}
          {text('password', 'SMTP password', 'or ${SMTP_PASSWORD}', 'password')}
        </div>
      )}
      <p className="muted small">A URL or password typed here is kept in <code>.sluice/secrets.env</code> (never in git) and the file gets a <code>{'${SLUICE_ALERT_…}'}</code> reference; a <code>{'${NAME}'}</code> you type is read from the server's environment.</p>
      <ErrorNote error={error} />
      <div className="form-actions">
        <button type="submit" className="button primary" disabled={!on.length} data-testid={id('save')}>Add channel</button>
      </div>
    </form>
  );
}
