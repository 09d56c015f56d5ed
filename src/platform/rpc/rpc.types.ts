/** How one client method travels over HTTP (a row of a service's `contract/client.rpc.ts`). */
export interface RpcSpec {
  /** Path under `/internal/<service>/`, e.g. `get-order`. */
  path: string;
  /**
   * Safe to send again: a read, or a write that carries its own idempotency key (payment capture,
   * reservation by reference). Only these are retried after a transport failure.
   */
  idempotent: boolean;
  /** Overrides RPC_TIMEOUT_MS for this method. */
  timeoutMs?: number;
}

/** A constant member of a client interface (e.g. a directory's `types`), sent with no call. */
export interface RpcConstant<T> {
  constant: T;
}

/**
 * The RPC table of a client interface: every method maps to an RpcSpec, every nested interface
 * (a directory) to its own table, every constant to its value. A method missing from the table
 * is a type error.
 */
export type RpcTable<C> = {
  [K in keyof C]-?: C[K] extends (...args: never[]) => unknown
    ? RpcSpec
    : C[K] extends readonly unknown[] | string | number | boolean
      ? RpcConstant<C[K]>
      : RpcTable<C[K]>;
};

export const INTERNAL_PREFIX = '/internal';

export const isSpec = (entry: unknown): entry is RpcSpec =>
  typeof entry === 'object' && entry !== null && 'path' in entry && 'idempotent' in entry;
export const isConstant = (entry: unknown): entry is RpcConstant<unknown> =>
  typeof entry === 'object' && entry !== null && 'constant' in entry;

/** Every method of a table with the member path that reaches it in the client (`directory.loadPrincipal`). */
export function tableMethods(table: object, prefix: string[] = []): { member: string[]; spec: RpcSpec }[] {
  const out: { member: string[]; spec: RpcSpec }[] = [];
  for (const [key, entry] of Object.entries(table)) {
    if (isSpec(entry)) out.push({ member: [...prefix, key], spec: entry });
    else if (!isConstant(entry)) out.push(...tableMethods(entry as object, [...prefix, key]));
  }
  return out;
}

/** The route of a method: `/internal/<service>/<path>`. */
export const rpcRoute = (service: string, spec: RpcSpec): string =>
  `${INTERNAL_PREFIX}/${service}/${spec.path}`;

/** A Ctx crosses the wire as its actor and request id; the callee adds its own logger. */
export interface WireCtx {
  $ctx: { actor: unknown; requestId: string };
}
