import { useEffect, useState } from 'react';

/**
 * Routes live in the fragment (`#/runs/ID`), so any static server can serve
 * the UI and a deep link never reaches a server log with its details.
 */
export function useRoute(): string {
  const [route, setRoute] = useState(currentRoute);
  useEffect(() => {
    let shown = currentRoute();
    const update = () => {
      const next = currentRoute();
      if (next === shown) return;
      const question = leaveGuard?.(next);
      if (question && !window.confirm(question)) {
        // Stay: put the address back without another hashchange.
        window.history.replaceState(window.history.state, '', `#${shown}`);
        return;
      }
      shown = next;
      setRoute(next);
    };
    window.addEventListener('hashchange', update);
    return () => window.removeEventListener('hashchange', update);
  }, []);
  return route;
}

/** Asked before the route changes to `next`: a question when leaving would lose something, else undefined. */
type LeaveGuard = (next: string) => string | undefined;
let leaveGuard: LeaveGuard | undefined;

/** Installs the guard asked before any in-app navigation; returns its removal. */
export function setLeaveGuard(guard: LeaveGuard): () => void {
  leaveGuard = guard;
  return () => {
    if (leaveGuard === guard) leaveGuard = undefined;
  };
}

function currentRoute(): string {
  const hash = window.location.hash.replace(/^#/, '');
  return hash.startsWith('/') ? hash : '/';
}

/**
 * Goes to a route. `replace` swaps the current history entry instead of adding
 * one, for state that Back should not step through (such as a tab).
 */
export function navigate(to: string, { replace = false }: { replace?: boolean } = {}): void {
  if (replace) window.location.replace(`#${to}`);
  else window.location.hash = to;
}

/** The route with its query parameters set (an empty value removes one). */
export function withQuery(route: string, changes: Record<string, string | undefined>): string {
  const [path = ''] = route.split('?');
  const query = routeQuery(route);
  for (const [key, value] of Object.entries(changes)) {
    if (value) query.set(key, value);
    else query.delete(key);
  }
  const text = query.toString();
  return text ? `${path}?${text}` : path;
}

export function href(to: string): string {
  return `#${to}`;
}

/** Matches `/runs/:id` style patterns; undefined when the route differs. */
export function match(pattern: string, route: string): Record<string, string> | undefined {
  const [path = ''] = route.split('?');
  const want = pattern.split('/');
  const got = path.split('/');
  if (want.length !== got.length) return undefined;
  const params: Record<string, string> = {};
  for (let i = 0; i < want.length; i++) {
    const w = want[i]!;
    const g = got[i]!;
    if (w.startsWith(':')) params[w.slice(1)] = decodeURIComponent(g);
    else if (w !== g) return undefined;
  }
  return params;
}

export function routeQuery(route: string): URLSearchParams {
  return new URLSearchParams(route.split('?')[1] ?? '');
}
