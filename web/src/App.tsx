import { useEffect, useState } from 'react';
import { call, endpoint, onSignedOut, type Endpoint } from './api/client.ts';
import { Layout } from './components/Layout.tsx';
import { loadable } from './loadable.tsx';
import { match, navigate, routeQuery, useRoute } from './router.ts';
import { SignInPage, takeFragmentToken } from './features/sign-in/SignInPage.tsx';
import { PipelinesPage } from './features/pipelines/PipelinesPage.tsx';
import { RunsPage, runListRoute } from './features/runs/RunsPage.tsx';
import { prefetch } from './api/prefetch.ts';
import type { SessionView } from '@sluice/api';
import { SessionContext } from './features/users/session-context.ts';

// The editor brings React Flow and CodeMirror: loaded only when opened, so
// the pipelines page renders without them.
const loading = <div className="loading">Loading…</div>;
const PipelineEditorPage = loadable(() => import('./features/pipeline-editor/PipelineEditorPage.tsx').then((m) => m.default), loading);
const RunPage = loadable(() => import('./features/runs/RunPage.tsx').then((m) => m.default), loading);
const TriggersPage = loadable(() => import('./features/triggers/TriggersPage.tsx').then((m) => m.default), loading);
const ConnectionsPage = loadable(() => import('./features/connections/ConnectionsPage.tsx').then((m) => m.default), loading);
const AlertsPage = loadable(() => import('./features/alerts/AlertsPage.tsx').then((m) => m.default), loading);
const DashboardPage = loadable(() => import('./features/dashboard/DashboardPage.tsx').then((m) => m.default), loading);
const RunningNowPage = loadable(() => import('./features/running-now/RunningNowPage.tsx').then((m) => m.default), loading);
const LineagePage = loadable(() => import('./features/lineage/LineagePage.tsx').then((m) => m.default), loading);
const FieldMappingPage = loadable(() => import('./features/field-mapping/FieldMappingPage.tsx').then((m) => m.default), loading);
const DictionariesPage = loadable(() => import('./features/dictionaries/DictionariesPage.tsx').then((m) => m.default), loading);
const GitPage = loadable(() => import('./features/git/GitPage.tsx').then((m) => m.default), loading);
const UsersPage = loadable(() => import('./features/users/UsersPage.tsx').then((m) => m.default), loading);
const StreamsPage = loadable(() => import('./features/streams/StreamsPage.tsx').then((m) => m.default), loading);
const WorkersPage = loadable(() => import('./features/workers/WorkersPage.tsx').then((m) => m.default), loading);
const AuditPage = loadable(() => import('./features/audit/AuditPage.tsx').then((m) => m.default), loading);

type Auth = 'checking' | 'signed-in' | 'signed-out';

export function App() {
  const route = useRoute();
  const [auth, setAuth] = useState<Auth>('checking');
  const [signInError, setSignInError] = useState<string>();
  const [session, setSession] = useState<SessionView>({ authenticated: false, usersExist: false });

  useEffect(() => {
    const token = takeFragmentToken();
    const check = token
      ? call('POST /api/session', { body: { token } }).then(
          (s) => {
            setSession(s);
            return true;
          },
          (error: Error) => {
            setSignInError(error.message);
            return false;
          },
        )
      : call('GET /api/session').then(
          (s) => {
            setSession(s);
            return s.authenticated;
          },
          () => false,
        );
    // When this browser had a session last time, the first page's data is asked for
    // beside the check (never when signed out, which would only earn a 401).
    const firstData = token || !rememberedSession() ? undefined : firstDataOf(route);
    if (firstData) prefetch(firstData);
    void check.then((ok) => {
      rememberSession(ok);
      setAuth(ok ? 'signed-in' : 'signed-out');
    });
    return onSignedOut(() => {
      rememberSession(false);
      setAuth('signed-out');
    });
  }, []);

  if (auth === 'checking') return <div className="splash">Sluice</div>;
  if (auth === 'signed-out') {
    return (
      <SignInPage
        initialError={signInError}
        usersExist={session.usersExist}
        oidc={session.oidc}
        onSignedIn={(signedIn) => {
          setSession(signedIn);
          rememberSession(true);
          setAuth('signed-in');
          if (route === '/') navigate('/pipelines');
        }}
      />
    );
  }
  return (
    <SessionContext.Provider value={session}>
      <Layout route={route} onSignOut={() => setAuth('signed-out')}>
        {page(route)}
      </Layout>
    </SessionContext.Provider>
  );
}

const sessionHint = 'sluice.had-session';
function rememberedSession(): boolean {
  return localStorage.getItem(sessionHint) === '1';
}
function rememberSession(open: boolean): void {
  if (open) localStorage.setItem(sessionHint, '1');
  else localStorage.removeItem(sessionHint);
}

/** The main API route of a page drawn without waiting for code to load, to ask for early. */
function firstDataOf(route: string): Endpoint<unknown> | undefined {
  if (route === '/runs' || route.startsWith('/runs?')) return runListRoute(route);
  if (route === '/pipelines') return endpoint('GET /api/pipelines');
  return undefined;
}

function page(route: string) {
  let params: Record<string, string> | undefined;
  if ((params = match('/pipelines/:name', route))) return <PipelineEditorPage key={params.name} name={params.name!} location={route} />;
  if ((params = match('/runs/:id', route))) return <RunPage key={params.id} id={params.id!} block={routeQuery(route).get('block') ?? undefined} />;
  if (route.startsWith('/dashboard')) return <DashboardPage />;
  if (route.startsWith('/running')) return <RunningNowPage />;
  if (route.startsWith('/runs')) return <RunsPage route={route} />;
  if ((params = match('/streams/:name', route))) return <StreamsPage selected={params.name!} />;
  if (route.startsWith('/streams')) return <StreamsPage />;
  if (route.startsWith('/workers')) return <WorkersPage />;
  if (route.startsWith('/triggers')) return <TriggersPage />;
  if (route.startsWith('/connections')) return <ConnectionsPage />;
  if (route.startsWith('/git')) return <GitPage />;
  if (route.startsWith('/audit')) return <AuditPage route={route} />;
  if (route.startsWith('/users')) return <UsersPage />;
  if (route.startsWith('/lineage')) return <LineagePage route={route} />;
  if (route.startsWith('/map')) return <FieldMappingPage route={route} />;
  if (route.startsWith('/alerts')) return <AlertsPage />;
  if (route.startsWith('/dictionaries')) return <DictionariesPage />;
  return <PipelinesPage />;
}
