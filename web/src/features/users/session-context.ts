import { createContext, useContext } from 'react';
import type { Role, SessionView } from '@sluice/api';

const order: readonly Role[] = ['viewer', 'operator', 'editor', 'admin'];

/** The signed-in caller, as `GET /api/session` told it. */
export const SessionContext = createContext<SessionView>({ authenticated: false, usersExist: false });

export function useSession(): SessionView {
  return useContext(SessionContext);
}

/**
 * Whether the signed-in role may do what `needed` may. The UI hides what a
 * role cannot do; the server refuses it anyway (route-roles.ts).
 */
export function useCan(needed: Role): boolean {
  const { role } = useSession();
  return role !== undefined && order.indexOf(role) >= order.indexOf(needed);
}
