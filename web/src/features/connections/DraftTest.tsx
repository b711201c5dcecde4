import { useState } from 'react';
import type { ConnectionCheck } from '@sluice/api';
import { call, type RouteRequest } from '../../api/client.ts';
import { formatDuration } from '../../format.ts';

/** A connection as the form holds it, as the connection routes take it. */
export type ConnectionDraft = NonNullable<RouteRequest<'POST /api/connections/test'>['body']>;

/** What a test answered (the server's ConnectionCheck), or the request's own failure, shown the same way. */
export type TestResult = Omit<ConnectionCheck, 'duration_ms'> & { readonly duration_ms?: number };

/** Tests the form's values against the real server before they are saved; nothing is written. */
export function DraftTest({ body, disabled }: { body: () => ConnectionDraft; disabled: boolean }) {
  const [result, setResult] = useState<TestResult | 'testing'>();
  const test = () => {
    setResult('testing');
    call('POST /api/connections/test', { body: body() }).then(setResult, (failure: Error) => setResult({ ok: false, message: failure.message }));
  };
  return (
    <span className="conn-draft-test">
      <button type="button" className="button" disabled={disabled || result === 'testing'} onClick={test} title="Connect with these values, without saving them" data-testid="connection-draft-test">Test</button>
      <span data-testid="connection-draft-result" className="small">
        {result === 'testing' ? <span className="muted">testing…</span> : result ? <span className={result.ok ? 'text-ok' : 'text-error'}>{result.ok ? '✓' : '✗'} {result.message}{result.duration_ms !== undefined ? ` (${formatDuration(result.duration_ms)})` : ''}</span> : null}
      </span>
    </span>
  );
}
