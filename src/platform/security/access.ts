import type { PrincipalType } from './principal.js';

/**
 * What a route requires, declared beside the route (`config: { access: … }`) and enforced once by
 * the gateway. A route without a declaration is refused at start-up: secure by default.
 */
export type Access =
  | { kind: 'public' }
  | { kind: 'authenticated'; types?: readonly PrincipalType[]; permission?: string }
  /** Internal service-to-service routes (platform/rpc): a service token, never a user's. */
  | { kind: 'service' };

export const access = {
  public: (): Access => ({ kind: 'public' }),
  authenticated: (): Access => ({ kind: 'authenticated' }),
  /** Staff (admin or shipper) holding `permission`. */
  staff: (permission: string): Access => ({ kind: 'authenticated', types: ['admin', 'shipper'], permission }),
  /** Admin principals holding `permission`. */
  admin: (permission: string): Access => ({ kind: 'authenticated', types: ['admin'], permission }),
  customer: (): Access => ({ kind: 'authenticated', types: ['customer'] }),
};
