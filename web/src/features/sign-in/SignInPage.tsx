import { useState, type FormEvent } from 'react';
import type { SessionView } from '@sluice/api';
import { call, link } from '../../api/client.ts';

/**
 * Takes the token from a `#token=` sign-in link and removes it from the
 * address bar and history at once, so it is not bookmarked or shared.
 */
export function takeFragmentToken(): string | undefined {
  const match = /^#token=([^&]+)/.exec(window.location.hash);
  if (!match) return undefined;
  window.history.replaceState(null, '', `${window.location.pathname}${window.location.search}#/pipelines`);
  return decodeURIComponent(match[1]!);
}

/**
 * Signs in with a user's name and password once the project has users, else
 * with the project's API token; and, when sluice.yaml configures OpenID
 * Connect, through the provider (a full-page visit to the server, which
 * returns here signed in).
 */
export function SignInPage({
  onSignedIn,
  initialError,
  usersExist,
  oidc,
}: {
  onSignedIn: (session: SessionView) => void;
  initialError?: string | undefined;
  usersExist: boolean;
  oidc?: SessionView['oidc'];
}) {
  const [token, setToken] = useState('');
  const [user, setUser] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState(initialError);
  const [busy, setBusy] = useState(false);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    call('POST /api/session', { body: usersExist ? { user: user.trim(), password } : { token: token.trim() } })
      .then(onSignedIn, (failure: Error) => setError(failure.message))
      .finally(() => setBusy(false));
  };

  return (
    <div className="sign-in">
      <form className="sign-in-card" onSubmit={submit} data-testid="sign-in-form">
        <div className="brand big">
          <span className="brand-mark">≋</span> Sluice
        </div>
        {usersExist ? (
          <>
            <label className="field">
              <span>User</span>
              <input autoComplete="username" value={user} onChange={(e) => setUser(e.target.value)} data-testid="user-input" autoFocus />
            </label>
            <label className="field">
              <span>Password</span>
              <input type="password" autoComplete="current-password" value={password} onChange={(e) => setPassword(e.target.value)} data-testid="password-input" />
            </label>
          </>
        ) : (
          <>
            <p className="muted">
              Open the sign-in link <code>sluice serve</code> printed, or paste the API token from <code>.sluice/api-token</code>.
            </p>
            <label className="field">
              <span>API token</span>
              <input type="password" autoComplete="off" value={token} onChange={(e) => setToken(e.target.value)} data-testid="token-input" autoFocus />
            </label>
          </>
        )}
        {error && (
          <div className="error-note" role="alert" data-testid="sign-in-error">
            {error}
          </div>
        )}
        <button type="submit" className="button primary" disabled={busy || (usersExist ? !user.trim() || !password : !token.trim())} data-testid="sign-in-submit">
          Sign in
        </button>
        {oidc && (
          <>
            <div className="sign-in-or muted">or</div>
            <a className="button" href={link('GET /api/auth/oidc/start')} data-testid="oidc-sign-in">
              Sign in with {oidc.provider}
            </a>
          </>
        )}
      </form>
    </div>
  );
}
