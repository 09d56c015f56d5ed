import { ApiError, problemFrom } from './problem';

export const API = '/api/v1';

interface TokenPair {
  accessToken: string;
  refreshToken: string;
  expiresIn: number;
}

/** What the console knows about the signed-in staff member, read from the access token's claims. */
export interface Staff {
  id: string;
  type: string;
  roles: string[];
  permissions: string[];
}

const REFRESH_KEY = 'orderline.admin.refresh';

/** Same rule as the gateway (src/platform/security/principal.ts): exact, `area:*` or `*`. */
export function hasPermission(granted: readonly string[], required: string): boolean {
  if (granted.includes('*') || granted.includes(required)) return true;
  const [area] = required.split(':');
  return granted.includes(`${area}:*`);
}

export function staffFromToken(token: string): Staff {
  const part = token.split('.')[1];
  if (!part) throw new Error('The access token is not a JWT');
  const json = atob(part.replace(/-/g, '+').replace(/_/g, '/'));
  const claims = JSON.parse(json) as { sub: string; typ: string; roles?: string[]; perms?: string[] };
  return { id: claims.sub, type: claims.typ, roles: claims.roles ?? [], permissions: claims.perms ?? [] };
}

type Listener = (staff: Staff | undefined) => void;

/**
 * The staff session: the access token lives only in memory; the refresh token in sessionStorage
 * (this tab only) so a reload can rotate it into a new pair. A 401 on any call refreshes once —
 * concurrent calls share that one refresh, since a rotated refresh token must not be sent twice —
 * and retries; when the refresh is refused the session ends and the console shows the login.
 */
export class Session {
  private accessToken: string | undefined;
  private refreshing: Promise<boolean> | undefined;
  private listeners = new Set<Listener>();
  staff: Staff | undefined;

  constructor(
    private readonly fetchImpl: typeof fetch = (...args) => fetch(...args),
    private readonly storage:
      | Pick<Storage, 'getItem' | 'setItem' | 'removeItem'>
      | undefined = typeof sessionStorage === 'undefined' ? undefined : sessionStorage,
  ) {}

  subscribe(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  get hasRefreshToken(): boolean {
    return Boolean(this.storage?.getItem(REFRESH_KEY));
  }

  async login(email: string, password: string): Promise<Staff> {
    const res = await this.fetchImpl(`${API}/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email, password, type: 'admin' }),
    });
    if (!res.ok) throw new ApiError(await problemFrom(res));
    return this.adopt((await res.json()) as TokenPair);
  }

  /** Rotates the refresh token; false (and signed out) when the API refuses it. */
  refresh(): Promise<boolean> {
    this.refreshing ??= this.rotate().finally(() => {
      this.refreshing = undefined;
    });
    return this.refreshing;
  }

  private async rotate(): Promise<boolean> {
    const refreshToken = this.storage?.getItem(REFRESH_KEY);
    if (!refreshToken) {
      this.clear();
      return false;
    }
    const res = await this.fetchImpl(`${API}/auth/refresh`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ refreshToken }),
    });
    if (!res.ok) {
      this.clear();
      return false;
    }
    this.adopt((await res.json()) as TokenPair);
    return true;
  }

  async logout(): Promise<void> {
    const token = this.accessToken;
    this.clear();
    if (token)
      await this.fetchImpl(`${API}/auth/logout`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}` },
      });
  }

  /** An authenticated call; JSON in and out. Throws ApiError with the API's problem. */
  async request<T>(
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<T> {
    const send = () => {
      const all: Record<string, string> = { ...headers };
      if (this.accessToken) all.authorization = `Bearer ${this.accessToken}`;
      let payload: BodyInit | undefined;
      if (typeof body === 'string') payload = body;
      else if (body !== undefined) {
        all['content-type'] = 'application/json';
        payload = JSON.stringify(body);
      }
      return this.fetchImpl(`${API}${path}`, {
        method,
        headers: all,
        ...(payload !== undefined ? { body: payload } : {}),
      });
    };
    let res = await send();
    if (res.status === 401 && (await this.refresh())) res = await send();
    if (res.status === 401) this.clear();
    if (!res.ok) throw new ApiError(await problemFrom(res));
    if (res.status === 204) return undefined as T;
    const type = res.headers.get('content-type') ?? '';
    return (type.includes('json') ? await res.json() : await res.text()) as T;
  }

  private adopt(pair: TokenPair): Staff {
    this.accessToken = pair.accessToken;
    this.storage?.setItem(REFRESH_KEY, pair.refreshToken);
    this.staff = staffFromToken(pair.accessToken);
    for (const listener of this.listeners) listener(this.staff);
    return this.staff;
  }

  private clear(): void {
    const was = this.staff;
    this.accessToken = undefined;
    this.staff = undefined;
    this.storage?.removeItem(REFRESH_KEY);
    if (was) for (const listener of this.listeners) listener(undefined);
  }
}

export const session = new Session();
export const api = <T>(method: string, path: string, body?: unknown, headers?: Record<string, string>) =>
  session.request<T>(method, path, body, headers);
