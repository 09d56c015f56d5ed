import { createContext, type ReactNode, useContext, useEffect, useState } from 'react';
import { hasPermission, type Session, type Staff } from './session';

interface AuthState {
  staff: Staff | undefined;
  /** True until a stored refresh token was tried on start-up. */
  restoring: boolean;
  session: Session;
}

const AuthContext = createContext<AuthState | undefined>(undefined);

export function AuthProvider({ session, children }: { session: Session; children: ReactNode }) {
  const [staff, setStaff] = useState(session.staff);
  const [restoring, setRestoring] = useState(!session.staff && session.hasRefreshToken);
  useEffect(() => session.subscribe(setStaff), [session]);
  useEffect(() => {
    if (!restoring) return;
    session
      .refresh()
      .catch((err: unknown) => console.error('restoring the session failed', err))
      .finally(() => setRestoring(false));
  }, [session, restoring]);
  return <AuthContext.Provider value={{ staff, restoring, session }}>{children}</AuthContext.Provider>;
}

export function useAuth(): AuthState {
  const state = useContext(AuthContext);
  if (!state) throw new Error('useAuth outside AuthProvider');
  return state;
}

/** Whether the signed-in staff member holds `permission` (the gateway's own rule). */
export function useCan(permission: string): boolean {
  const { staff } = useAuth();
  return staff !== undefined && hasPermission(staff.permissions, permission);
}

/** Renders its children only for staff holding `permission`: what a role cannot do is not shown. */
export function Can({ permission, children }: { permission: string; children: ReactNode }) {
  return useCan(permission) ? children : null;
}
