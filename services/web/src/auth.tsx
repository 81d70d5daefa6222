import { createContext, use, useCallback, useMemo, useState, type ReactNode } from 'react';
import { api, decodeToken, tokenStore, type Claims } from './api.ts';

interface AuthState {
  claims: Claims | null;
  login(email: string, password: string): Promise<void>;
  signup(name: string, email: string, password: string): Promise<void>;
  logout(): void;
}

const AuthContext = createContext<AuthState | null>(null);

export function AuthProvider({ children }: { children: ReactNode }) {
  const [claims, setClaims] = useState(() => decodeToken(tokenStore.get()));
  const login = useCallback(async (email: string, password: string) => {
    const { access_token } = await api<{ access_token: string }>('/api/auth/login', { method: 'POST', body: { email, password } });
    tokenStore.set(access_token);
    setClaims(decodeToken(access_token));
  }, []);
  const signup = useCallback(
    async (name: string, email: string, password: string) => {
      await api('/api/auth/signup', { method: 'POST', body: { name, email, password } });
      await login(email, password);
    },
    [login],
  );
  const logout = useCallback(() => {
    tokenStore.set(null);
    setClaims(null);
  }, []);
  const value = useMemo(() => ({ claims, login, signup, logout }), [claims, login, signup, logout]);
  return <AuthContext value={value}>{children}</AuthContext>;
}

export function useAuth(): AuthState {
  const auth = use(AuthContext);
  if (!auth) throw new Error('useAuth outside AuthProvider');
  return auth;
}
