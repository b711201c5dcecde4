import assert from 'node:assert/strict';
import { waitFor } from '../../src/testing/wait-for.ts';
import type { ServedProject } from './api-server.ts';

/** Signs in with a name and password and returns the session cookie (`sluice_session=...`). */
export async function signInAs(s: ServedProject, user: string, password: string): Promise<string> {
  const response = await s.api('/api/session', { method: 'POST', auth: '', headers: { origin: s.base }, body: JSON.stringify({ user, password }) });
  assert.equal(response.status, 200, `${user} signs in: ${await response.clone().text()}`);
  return (response.headers.get('set-cookie') ?? '').split(';')[0]!;
}

/** A request as a signed-in browser: the cookie and the UI's own Origin. */
export function asBrowser(s: ServedProject, cookie: string) {
  return <T = { error?: { code: string } }>(route: string, init: RequestInit = {}) => s.json<T>(route, { ...init, auth: '', headers: { cookie, origin: s.base } });
}

/** Follows a run's live event stream; `ended` says whether the server has closed it, `text` what it sent. */
export async function follow(s: ServedProject, runId: string, cookie: string): Promise<{ ended: () => boolean; text: () => string; cancel: () => Promise<void> }> {
  const response = await s.api(`/api/runs/${runId}/events`, { auth: '', headers: { cookie } });
  assert.equal(response.status, 200);
  const reader = response.body!.getReader();
  let text = '';
  let ended = false;
  void (async () => {
    for (;;) {
      const { done, value } = await reader.read().catch(() => ({ done: true, value: undefined }));
      if (done) break;
      text += Buffer.from(value!).toString();
    }
    ended = true;
  })();
  await waitFor(() => text.includes('event: run'), { what: 'the stream to send the run', timeout: 10_000 });
  return { ended: () => ended, text: () => text, cancel: () => reader.cancel().catch(() => undefined) };
}
