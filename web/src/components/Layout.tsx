import type { ReactNode } from 'react';
import { call } from '../api/client.ts';
import { href } from '../router.ts';
import { GlobalKeys } from '../features/shortcuts/GlobalKeys.tsx';
import { ThemeToggle } from '../features/theme/ThemeToggle.tsx';
import { useCan, useSession } from '../features/users/session-context.ts';

const sections = [
  { to: '/dashboard', label: 'Dashboard', icon: '◉' },
  { to: '/pipelines', label: 'Pipelines', icon: '▦' },
  { to: '/runs', label: 'Runs', icon: '▶' },
  { to: '/running', label: 'Running now', icon: '⟳' },
  { to: '/streams', label: 'Streams', icon: '≈' },
  { to: '/workers', label: 'Workers', icon: '⚙' },
  { to: '/triggers', label: 'Triggers', icon: '◷' },
  { to: '/connections', label: 'Connections', icon: '⛁' },
  { to: '/lineage', label: 'Lineage', icon: '⇶' },
  { to: '/map', label: 'Map fields', icon: '⇄' },
  { to: '/alerts', label: 'Alerts', icon: '⚑' },
  { to: '/dictionaries', label: 'Dictionaries', icon: '≡' },
  { to: '/git', label: 'Git', icon: '⎇' },
  { to: '/audit', label: 'Audit', icon: '☰', admin: true },
  { to: '/users', label: 'Users', icon: '☺', admin: true },
] as const;

/** The frame of every signed-in page: the left navigation and the content. */
export function Layout({ route, children, onSignOut }: { route: string; children: ReactNode; onSignOut: () => void }) {
  const session = useSession();
  const admin = useCan('admin');
  const signOut = () => {
    void call('DELETE /api/session').finally(onSignOut);
  };
  return (
    <div className="app">
      <nav className="nav" aria-label="Sections">
        <a className="brand" href={href('/pipelines')}>
          <span className="brand-mark">≋</span> Sluice
        </a>
        <GlobalKeys />
        {sections.filter((s) => admin || !('admin' in s)).map((s) => (
          <a key={s.to} href={href(s.to)} className={route.startsWith(s.to) ? 'nav-link active' : 'nav-link'} data-testid={`nav-${s.label.toLowerCase().replace(/ /g, '-')}`}>
            <span className="nav-icon" aria-hidden="true">{s.icon}</span>
            {s.label}
          </a>
        ))}
        <div className="nav-spacer" />
        <ThemeToggle />
        {session.user && (
          <div className="nav-user muted" data-testid="signed-in-as">
            {session.user} · {session.role}
          </div>
        )}
        <button type="button" className="nav-link nav-button" onClick={signOut} data-testid="sign-out">
          Sign out
        </button>
      </nav>
      <main className="content">{children}</main>
    </div>
  );
}
