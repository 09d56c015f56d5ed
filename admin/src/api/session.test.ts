import { describe, expect, it } from 'vitest';
import { hasPermission, Session, staffFromToken } from './session';

const b64 = (o: object) => btoa(JSON.stringify(o)).replace(/=+$/, '');
const token = (n: number, perms = ['*']) =>
  `h.${b64({ sub: `staff-${n}`, typ: 'admin', roles: ['admin'], perms })}.s`;

function memoryStorage() {
  const m = new Map<string, string>();
  return {
    getItem: (k: string) => m.get(k) ?? null,
    setItem: (k: string, v: string) => void m.set(k, v),
    removeItem: (k: string) => void m.delete(k),
  };
}

const json = (status: number, body: unknown) =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });

/** A fake API: logins and refreshes rotate numbered tokens; /orders accepts only the newest access token. */
function fakeApi() {
  let issued = 0;
  let validRefresh = '';
  const calls: string[] = [];
  const fetchImpl = (async (url: string, init: RequestInit = {}) => {
    const path = url.replace('/api/v1', '');
    calls.push(`${init.method} ${path}`);
    const pair = () => {
      issued += 1;
      validRefresh = `refresh-${issued}`;
      return json(200, { accessToken: token(issued), refreshToken: validRefresh, expiresIn: 900 });
    };
    if (path === '/auth/login') return pair();
    if (path === '/auth/refresh') {
      const sent = JSON.parse(String(init.body)).refreshToken;
      return sent === validRefresh ? pair() : json(401, { status: 401, code: 'unauthenticated' });
    }
    const auth = new Headers(init.headers).get('authorization');
    if (auth !== `Bearer ${token(issued)}`) return json(401, { status: 401, code: 'unauthenticated' });
    return json(200, { items: [] });
  }) as typeof fetch;
  return {
    fetchImpl,
    calls,
    expire: () => {
      issued += 1; // the server moved on: the client's access token is no longer the valid one
      validRefresh = `refresh-${issued - 1}`;
    },
  };
}

describe('staff session', () => {
  it('reads roles and permissions from the access token; the gateway rule for wildcards', () => {
    expect(staffFromToken(token(1, ['orders:read']))).toEqual({
      id: 'staff-1',
      type: 'admin',
      roles: ['admin'],
      permissions: ['orders:read'],
    });
    expect(hasPermission(['*'], 'ops:write')).toBe(true);
    expect(hasPermission(['orders:*'], 'orders:write')).toBe(true);
    expect(hasPermission(['orders:read'], 'orders:write')).toBe(false);
  });

  it('refreshes once on a 401, shared by concurrent calls, and retries with the new token', async () => {
    const api = fakeApi();
    const session = new Session(api.fetchImpl, memoryStorage());
    await session.login('a@b.c', 'pw');
    api.expire();
    await Promise.all([session.request('GET', '/orders'), session.request('GET', '/orders')]);
    expect(api.calls.filter((c) => c === 'POST /auth/refresh')).toHaveLength(1);
    expect(session.staff?.id).toBe('staff-3');
  });

  it('signs out when the refresh token is refused (the console shows the login)', async () => {
    const api = fakeApi();
    const storage = memoryStorage();
    const session = new Session(api.fetchImpl, storage);
    const seen: (string | undefined)[] = [];
    session.subscribe((s) => seen.push(s?.id));
    await session.login('a@b.c', 'pw');
    storage.setItem('orderline.admin.refresh', 'stolen-and-rotated');
    api.expire();
    await expect(session.request('GET', '/orders')).rejects.toMatchObject({ code: 'unauthenticated' });
    expect(session.staff).toBeUndefined();
    expect(session.hasRefreshToken).toBe(false);
    expect(seen).toEqual(['staff-1', undefined]);
  });
});
