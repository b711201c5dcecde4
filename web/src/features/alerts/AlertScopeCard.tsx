import { useState } from 'react';
import { alertCalls } from './alert-calls.ts';
import { ErrorNote } from '../../components/ErrorNote.tsx';
import { useCan } from '../users/session-context.ts';
import type { Role } from '@sluice/api';
import { AddChannelForm } from './AddChannelForm.tsx';
import type { AlertChannelView } from '@sluice/api';
import { alertEvents, type AlertEventName, type TestSendResult } from './alert-types.ts';

/** One scope's channels (the project's, or one pipeline's), with their events, a test send and removal. */
export function AlertScopeCard({ title, file, pipeline, testId, channels, problem, onChange, changeRole }: { title: string; file: string; pipeline?: string | undefined; testId: string; channels: readonly AlertChannelView[]; problem?: string | undefined; onChange: () => void; /** Who may add, change, test and remove these channels (route-roles.ts). */ changeRole: Role }) {
  const calls = alertCalls(pipeline);
  const canChange = useCan(changeRole);
  const [adding, setAdding] = useState(false);
  const [results, setResults] = useState<Record<number, TestSendResult | 'sending'>>({});
  const [error, setError] = useState<Error>();
  const change = (request: Promise<unknown>) => request.then(() => { setError(undefined); setResults({}); onChange(); }, setError);
  const toggle = (channel: AlertChannelView, event: AlertEventName, on: boolean) => {
    const next = alertEvents.filter((e) => (e === event ? on : channel.on.includes(e)));
    if (next.length) void change(calls.setEvents(channel.index, { on: next }));
  };
  const test = (index: number) => {
    setResults((r) => ({ ...r, [index]: 'sending' }));
    calls.test(index).then(
      (result) => setResults((r) => ({ ...r, [index]: result })),
      (failure: Error) => setResults((r) => ({ ...r, [index]: { ok: false, channel: '', error: { message: failure.message } } })),
    );
  };
  const remove = (channel: AlertChannelView) => {
    if (window.confirm(`Remove the alert to ${channel.label}?`)) void change(calls.remove(channel.index));
  };

  return (
    <section className="alerts-card" data-testid={testId}>
      <header className="alerts-card-head">
        <h2>{title}</h2>
        <code className="muted small">{file}</code>
        {canChange && <button type="button" className="button small" onClick={() => setAdding(!adding)} data-testid={`${testId}-add`}>{adding ? 'Close' : 'Add channel'}</button>}
      </header>
      {problem && <div className="text-error small">{problem}</div>}
      <ErrorNote error={error} />
      {channels.length === 0 && !adding && <p className="muted small">No alert channels.</p>}
      {channels.length > 0 && (
        <table className="table alerts-table">
          <tbody>
            {channels.map((channel) => {
              const result = results[channel.index];
              return (
                <tr key={channel.index} data-testid={`${testId}-channel-${channel.index}`}>
                  <td><span className="kind">{channel.kind}</span></td>
                  <td>
                    <div>{channel.label}</div>
                    {channel.variables.map((v) => (
                      <div key={v.name} className="small muted">reads <code>{v.name}</code>: {v.set ? 'set' : <span className="text-error">not set on the server</span>}</div>
                    ))}
                    {channel.problem && <div className="text-error small">{channel.problem}</div>}
                  </td>
                  <td>
                    <div className="alerts-events">
                    {alertEvents.map((event) => (
                      <label key={event} className="field checkbox small">
                        <input type="checkbox" checked={channel.on.includes(event)} disabled={!canChange || (channel.on.length === 1 && channel.on.includes(event))} onChange={(e) => toggle(channel, event, e.target.checked)} data-testid={`${testId}-channel-${channel.index}-${event}`} />
                        <span>{event}</span>
                      </label>
                    ))}
                    </div>
                  </td>
                  <td className="small" data-testid={`${testId}-channel-${channel.index}-result`}>
                    {result === 'sending' ? <span className="muted">sending…</span> : result ? <span className={result.ok ? 'text-ok' : 'text-error'}>{result.ok ? '✓ sent' : `✗ ${result.error?.message ?? 'not sent'}`}</span> : null}
                  </td>
                  <td className="actions">
                    {canChange && (
                      <>
                        <button type="button" className="button small" disabled={result === 'sending'} onClick={() => test(channel.index)} data-testid={`${testId}-channel-${channel.index}-test`}>Send test</button>
                        <button type="button" className="button small danger" onClick={() => remove(channel)} data-testid={`${testId}-channel-${channel.index}-remove`}>Remove</button>
                      </>
                    )}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
      {adding && canChange && <AddChannelForm pipeline={pipeline} testId={testId} onAdded={() => { setAdding(false); onChange(); }} />}
    </section>
  );
}
