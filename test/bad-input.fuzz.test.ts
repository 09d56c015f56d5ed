import { randomUUID } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import fc from 'fast-check';
import type { Response as InjectResponse } from 'light-my-request';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { securityHeaders } from '../src/platform/http/security-headers.js';
import { createStaff, loginPair } from './auth.fixtures.js';
import { customerToken, verifiedCustomer } from './customer.fixtures.js';
import { bearer, loginAs, startTestPlatform, TEST_DATABASES, type TestPlatform } from './harness.js';
import { bodyWith, type Field, fieldsOf, type Operation, operations, sample } from './openapi.fixtures.js';
import { storedSnapshot } from './stored.fixtures.js';

/**
 * G8 as a property of the whole API (issue 18): walks the generated OpenAPI document and sends
 * every operation, anonymously and as each principal type, one corrupted input at a time — U+0000
 * and lone surrogates in each string field, out-of-range and fractional numbers in each integer
 * field, malformed percent-encoding and 10 KB values in each path parameter, a 20 KB header. Every
 * answer must be a 4xx problem+json with a stable code and the security headers of a normal
 * response, and nothing may be stored. The other fields of each request are filled plausibly from
 * the schema, so that the corruption is what is refused, not a missing field.
 *
 * Reproduce a failure with FUZZ_SEED=<seed printed below>.
 */
const SEED = Number(process.env.FUZZ_SEED ?? Math.floor(Math.random() * 2 ** 31));
const RUNS = { strings: 6, integers: 4, percent: 4, oversized: 2, header: 2 } as const;

type App = TestPlatform['app'];
type Principal = 'anonymous' | 'admin' | 'shipper' | 'customer';
const PRINCIPALS: Principal[] = ['anonymous', 'admin', 'shipper', 'customer'];

const UNSAFE = ['\u0000', '\ud800', '\udfff'];
const unsafeString = fc
  .tuple(fc.string({ maxLength: 8 }), fc.constantFrom(...UNSAFE), fc.string({ maxLength: 8 }))
  .map(([a, bad, b]) => `${a}${bad}${b}`);
/** In a URL only U+0000 can be written; a lone surrogate has no UTF-8 (see the percent class). */
const nulString = fc
  .tuple(fc.string({ maxLength: 8 }), fc.string({ maxLength: 8 }))
  .map(([a, b]) => `${a}\u0000${b}`);
const BAD_INTEGERS = [2147483648, -2147483649, 1e20, 1.5];
const badInteger = fc.oneof(
  fc.constantFrom(...BAD_INTEGERS),
  fc.integer({ min: 2 ** 31, max: Number.MAX_SAFE_INTEGER }),
  fc.integer({ min: Number.MIN_SAFE_INTEGER, max: -(2 ** 31) - 1 }),
  fc.double({ min: -1e6, max: 1e6, noInteger: true, noNaN: true }),
);
/** Byte sequences Node would silently decode to U+FFFD. */
const BAD_UTF8 = [[0xed, 0xa0, 0x80], [0xff], [0xc0, 0xaf], [0x80]];
const badUtf8 = fc
  .oneof(
    fc.constantFrom(...BAD_UTF8),
    fc.integer({ min: 0x80, max: 0xbf }).map((b) => [b]),
    fc.integer({ min: 0xf5, max: 0xff }).map((b) => [b]),
    fc.integer({ min: 0xa0, max: 0xbf }).map((b) => [0xed, b, 0x80]),
  )
  .map((bytes) => Buffer.from(bytes));
const BAD_PERCENT = ['%ZZ', '%C0%AF', '%ED%A0%80', '%FF'];
const hex = (byte: number) => `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
const badPercent = fc.oneof(
  fc.constantFrom(...BAD_PERCENT),
  fc.integer({ min: 0x80, max: 0xbf }).map(hex), // a continuation byte alone
  fc.integer({ min: 0xc0, max: 0xc1 }).map((b) => `${hex(b)}%AF`), // overlong
  fc.integer({ min: 0xa0, max: 0xbf }).map((b) => `%ED${hex(b)}%80`), // encoded surrogate
  fc.constantFrom('%', '%4', '%G0', 'a%E2%82'), // truncated or not hex
);

interface Resources {
  productId: string;
  sku: string;
  warehouseId: string;
  cart: { id: string; token: string };
  customerId: string;
  addressId: string;
  staffId: string;
}

/** Real resources for path parameters where the route has them, a well-formed value elsewhere. */
function pathValue(op: Operation, name: string, r: Resources): string {
  const p = op.path;
  if (name === 'sku') return r.sku;
  if (name === 'warehouseId') return r.warehouseId;
  if (name === 'id') {
    if (/\/products\/\{id\}/.test(p)) return r.productId;
    if (p.includes('/admin/warehouses/')) return r.warehouseId;
    if (p.startsWith('/api/v1/carts/')) return r.cart.id;
    if (p.includes('/customers/me/addresses/')) return r.addressId;
    if (p.includes('/admin/customers/')) return r.customerId;
    if (p.includes('/admin/users/')) return r.staffId;
  }
  const param = op.parameters.find((x) => x.in === 'path' && x.name === name)!;
  return String(sample(param.schema, name));
}

/**
 * One corrupted input: `value` at `field`; `raw` when it is already as it goes on the wire (a URL
 * segment written by hand, or bytes put into the body's JSON text where the field's string is).
 */
type Corruption = { field: Field; value: unknown; raw?: boolean } | { none: true };

interface Built {
  method: string;
  url: string;
  headers: Record<string, string>;
  payload?: string | Buffer;
}

const MARK = 'BAD-BYTES-HERE';

function build(op: Operation, r: Resources, token: string | undefined, c: Corruption): Built {
  const at = 'field' in c ? c : undefined;
  const is = (part: Field['part'], name: string) => at?.field.part === part && at.field.path[0] === name;
  const inUrl = (value: unknown) => (at?.raw ? String(value) : encodeURIComponent(String(value)));
  const url = op.path.replace(/\{([^}]+)\}/g, (_m, name: string) =>
    is('params', name) ? inUrl(at!.value) : encodeURIComponent(pathValue(op, name, r)),
  );
  const query = op.parameters
    .filter((p) => p.in === 'query' && (p.required || is('querystring', p.name)))
    .map((p) =>
      is('querystring', p.name)
        ? `${p.name}=${inUrl(at!.value)}`
        : `${p.name}=${inUrl(sample(p.schema, p.name))}`,
    );
  const headers: Record<string, string> = token ? bearer(token) : {};
  for (const p of op.parameters.filter((x) => x.in === 'header')) {
    if (is('headers', p.name)) headers[p.name] = String(at!.value);
    else if (p.name === 'x-cart-token') headers[p.name] = r.cart.token;
    else if (p.name === 'idempotency-key') headers[p.name] = randomUUID();
  }
  const built: Built = { method: op.method, url: query.length ? `${url}?${query.join('&')}` : url, headers };
  if (op.body) {
    const inBody = at?.field.part === 'body' ? at : undefined;
    const bytes = inBody?.raw ? (inBody.value as Buffer) : undefined;
    const body = inBody
      ? bodyWith(op.body, inBody.field.path, bytes ? `x${MARK}y` : inBody.value)
      : sample(op.body);
    // A raw-body route (webhooks) takes the bytes as sent: the corrupted string itself.
    const text = typeof body === 'string' ? body : JSON.stringify(body);
    built.payload = bytes
      ? Buffer.concat(text.split(MARK).flatMap((t, i) => (i ? [bytes, Buffer.from(t)] : [Buffer.from(t)])))
      : text;
    built.headers['content-type'] = 'application/json';
  }
  return built;
}

const describeCase = (b: Built, who: Principal, status: number, body: string) =>
  `${b.method} ${b.url.slice(0, 200)} as ${who} → ${status} ${body.slice(0, 300)}; payload ${String(b.payload ?? '').slice(0, 200)}`;

/** What every answer must be (G8): below 500; a 4xx is problem+json with a stable code and the usual headers. */
function expectAnswer(
  status: number,
  headers: Record<string, unknown>,
  body: string,
  normal: Record<string, unknown>,
  what: string,
): { code?: string; errors?: { path: string }[] } {
  if (status >= 500) throw new Error(`5xx: ${what}`);
  for (const name of Object.keys(securityHeaders()))
    if (headers[name] !== normal[name]) throw new Error(`security header ${name} differs: ${what}`);
  if (!headers['x-request-id']) throw new Error(`no x-request-id: ${what}`);
  if (status < 400) return {};
  if (!String(headers['content-type']).startsWith('application/problem+json'))
    throw new Error(`not problem+json: ${what}`);
  const problem = JSON.parse(body) as {
    code?: string;
    status?: number;
    type?: string;
    errors?: { path: string }[];
  };
  if (
    !/^[a-z][a-z0-9_]*$/.test(problem.code ?? '') ||
    problem.status !== status ||
    !problem.type?.includes(problem.code!)
  )
    throw new Error(`problem without a stable code: ${what}`);
  return problem;
}

describe.each(TEST_DATABASES)('bad input on every operation of the OpenAPI document (%s)', (database) => {
  let platform: TestPlatform;
  let app: App;
  let ops: Operation[];
  let resources: Resources;
  let normalHeaders: Record<string, unknown>;
  const tokens: Partial<Record<Principal, string>> = {};
  let before: Awaited<ReturnType<typeof storedSnapshot>>;

  beforeAll(async () => {
    console.info(`bad-input fuzz seed: ${SEED} (FUZZ_SEED=${SEED} reproduces)`);
    platform = await startTestPlatform(database, { demo: true });
    app = platform.app;
    ops = operations((await app.inject({ method: 'GET', url: '/docs/openapi.json' })).json());
    const admin = (await loginAs(app)).accessToken;
    const staff = await createStaff(app, admin, { type: 'shipper' });
    const customer = await verifiedCustomer(app);
    tokens.admin = admin;
    tokens.shipper = (await loginPair(app, staff.email, staff.password, 'shipper')).accessToken;
    tokens.customer = (await customerToken(app, customer)).accessToken;
    const product = (await app.inject({ method: 'GET', url: '/api/v1/products' })).json().items[0];
    normalHeaders = (await app.inject({ method: 'GET', url: '/api/v1/products' })).headers;
    const warehouse = (
      await app.inject({ method: 'GET', url: '/api/v1/admin/warehouses', headers: bearer(admin) })
    ).json().items[0];
    const cart = (
      await app.inject({ method: 'POST', url: '/api/v1/carts', payload: { currency: 'USD' } })
    ).json();
    const address = await app.inject({
      method: 'POST',
      url: '/api/v1/customers/me/addresses',
      headers: bearer(tokens.customer),
      payload: {
        firstName: 'Ada',
        lastName: 'Lovelace',
        line1: '1 Main St',
        city: 'Springfield',
        postalCode: '94105',
        country: 'US',
      },
    });
    expect(address.statusCode, address.body).toBe(201);
    resources = {
      productId: product.id,
      sku: product.sku,
      warehouseId: warehouse.id,
      cart: { id: cart.id, token: cart.cartToken },
      customerId: customer.id,
      addressId: address.json().id,
      staffId: staff.id,
    };
    before = await storedSnapshot(platform.orderline.database);
  }, 180_000);
  afterAll(() => platform?.close());

  const send = async (b: Built): Promise<InjectResponse> =>
    app.inject({
      method: b.method as 'GET',
      url: b.url,
      headers: b.headers,
      ...(b.payload !== undefined ? { payload: b.payload } : {}),
    });

  /**
   * One fast-check property per operation: the canonical examples first (every field × principal),
   * then `numRuns` generated ones. Every failing operation is collected and reported, with the seed,
   * instead of stopping at the first.
   */
  async function eachOperation<C>(
    arbitraryOf: (op: Operation) => fc.Arbitrary<C> | undefined,
    examplesOf: (op: Operation) => C[],
    check: (op: Operation, c: C) => Promise<void>,
    numRuns: number,
  ): Promise<{ requests: number; failures: string[] }> {
    let requests = 0;
    const failures: string[] = [];
    for (const op of ops) {
      const arbitrary = arbitraryOf(op);
      if (!arbitrary) continue;
      const examples = examplesOf(op).map((e) => [e] as [C]);
      requests += examples.length + numRuns;
      const outcome = await fc.check(
        fc.asyncProperty(arbitrary, (c) => check(op, c)),
        { seed: SEED, numRuns, examples, endOnFailure: true },
      );
      if (outcome.failed)
        failures.push(
          `${op.method} ${op.path}: ${(outcome.errorInstance as Error | undefined)?.message} — ${fc.defaultReportMessage(outcome)?.split('\n').slice(0, 3).join(' ')}`,
        );
    }
    console.info(`${expect.getState().currentTestName}: ${requests} requests`);
    return { requests, failures };
  }

  interface FieldCase {
    field: Field;
    who: Principal;
    value: unknown;
    raw?: boolean;
  }

  const inUrl = (f: Field) => f.part === 'params' || f.part === 'querystring';
  /** A raw-body route's body: the bytes themselves (UTF-8 on the wire, so only U+0000 fits). */
  const isRawBody = (f: Field) => f.part === 'body' && f.path.length === 0;
  const fieldCases = (op: Operation, keep: (f: Field) => boolean) =>
    fieldsOf(op)
      .filter(keep)
      .flatMap((field) => PRINCIPALS.map((who) => ({ field, who })));
  const fieldArbitrary =
    (keep: (f: Field) => boolean, values: (f: Field) => fc.Arbitrary<unknown>, raw = false) =>
    (op: Operation): fc.Arbitrary<FieldCase> | undefined => {
      const cases = fieldCases(op, keep);
      if (cases.length === 0) return undefined;
      return fc.constantFrom(...cases).chain((c) => values(c.field).map((value) => ({ ...c, value, raw })));
    };

  async function answer(op: Operation, c: FieldCase) {
    const b = build(op, resources, tokens[c.who], c);
    const res = await send(b);
    const what = describeCase(b, c.who, res.statusCode, res.body);
    return { res, what, problem: expectAnswer(res.statusCode, res.headers, res.body, normalHeaders, what) };
  }
  /** 401/403 on a secured route come first (access is checked before the request is read). */
  const refusedByAccess = (op: Operation, status: number) => op.secured && (status === 401 || status === 403);

  /** A corrupted field is refused: 400 validation_failed naming it (or the access refusal). */
  async function expectFieldRefused(op: Operation, c: FieldCase): Promise<void> {
    const { res, what, problem } = await answer(op, c);
    const named = `${c.field.part}${c.field.path.map((p) => `.${p}`).join('')}`;
    if (res.statusCode === 400) {
      if (problem.code !== 'validation_failed' || !problem.errors?.some((e) => e.path.startsWith(named)))
        throw new Error(`400 does not name ${named}: ${what}`);
    } else if (!refusedByAccess(op, res.statusCode)) throw new Error(`not refused as invalid: ${what}`);
  }

  /** A malformed request (URL or body bytes) is refused as a whole: `status` `code` (or the access refusal). */
  const expectRefusedAs =
    (status: number, code: string, { accessFirst }: { accessFirst: boolean }) =>
    async (op: Operation, c: FieldCase): Promise<void> => {
      const { res, what, problem } = await answer(op, c);
      if (accessFirst && refusedByAccess(op, res.statusCode)) return;
      if (res.statusCode !== status || problem.code !== code)
        throw new Error(`expected ${status} ${code}: ${what}`);
    };

  const examplesFor =
    (keep: (f: Field) => boolean, values: (f: Field) => unknown[], raw = false) =>
    (op: Operation): FieldCase[] =>
      fieldCases(op, keep).flatMap((c) => values(c.field).map((value) => ({ ...c, value, raw })));

  const isString = (f: Field) => f.kind === 'string';
  const isInteger = (f: Field) => f.kind === 'integer';
  const isPathParam = (f: Field) => f.part === 'params';

  it('U+0000 and lone surrogates in any string field → 400 validation_failed naming it', async () => {
    const { requests, failures } = await eachOperation(
      fieldArbitrary(isString, (f) => (inUrl(f) || isRawBody(f) ? nulString : unsafeString)),
      examplesFor(isString, (f) => (inUrl(f) || isRawBody(f) ? ['x\u0000y'] : ['x\u0000y', 'x\ud800y'])),
      expectFieldRefused,
      RUNS.strings,
    );
    expect(failures).toEqual([]);
    expect(requests).toBeGreaterThan(0);
  }, 600_000);

  it('bytes that are not UTF-8 in any string of a body → 400 bad_request', async () => {
    const inBody = (f: Field) => f.part === 'body' && isString(f);
    const { requests, failures } = await eachOperation(
      fieldArbitrary(inBody, () => badUtf8, true),
      examplesFor(inBody, () => BAD_UTF8.map((bytes) => Buffer.from(bytes)), true),
      expectRefusedAs(400, 'bad_request', { accessFirst: true }),
      RUNS.strings,
    );
    expect(failures).toEqual([]);
    expect(requests).toBeGreaterThan(0);
  }, 600_000);

  it('integers beyond int4 or with a fraction in any integer field → 400 validation_failed naming it', async () => {
    const { requests, failures } = await eachOperation(
      fieldArbitrary(isInteger, () => badInteger),
      examplesFor(isInteger, () => BAD_INTEGERS),
      expectFieldRefused,
      RUNS.integers,
    );
    expect(failures).toEqual([]);
    expect(requests).toBeGreaterThan(0);
  }, 600_000);

  it('malformed percent-encoding in any path parameter → 400 bad_request', async () => {
    // The router decodes the path before any hook: refused whoever asks.
    const { requests, failures } = await eachOperation(
      fieldArbitrary(isPathParam, () => badPercent, true),
      examplesFor(isPathParam, () => BAD_PERCENT, true),
      expectRefusedAs(400, 'bad_request', { accessFirst: false }),
      RUNS.percent,
    );
    expect(failures).toEqual([]);
    expect(requests).toBeGreaterThan(0);
  }, 600_000);

  it('malformed percent-encoding in a query parameter is taken literally, never a 5xx or stored', async () => {
    const inQuery = (f: Field) => f.part === 'querystring';
    const { requests, failures } = await eachOperation(
      fieldArbitrary(inQuery, () => badPercent, true),
      examplesFor(inQuery, () => BAD_PERCENT, true),
      async (op, c) => {
        const { res, what } = await answer(op, c);
        if (res.statusCode < 400 && op.method !== 'GET') throw new Error(`accepted: ${what}`);
      },
      RUNS.percent,
    );
    expect(failures).toEqual([]);
    expect(requests).toBeGreaterThan(0);
  }, 600_000);

  it('a 10 KB path parameter → 414 uri_too_long', async () => {
    const { requests, failures } = await eachOperation(
      fieldArbitrary(isPathParam, () =>
        fc.integer({ min: 10 * 1024, max: 12 * 1024 }).map((n) => 'a'.repeat(n)),
      ),
      examplesFor(isPathParam, () => ['a'.repeat(10 * 1024)]),
      expectRefusedAs(414, 'uri_too_long', { accessFirst: false }),
      RUNS.oversized,
    );
    expect(failures).toEqual([]);
    expect(requests).toBeGreaterThan(0);
  }, 600_000);

  it('a 20 KB header over a real connection → 431 header_fields_too_large', async () => {
    await app.listen({ host: '127.0.0.1', port: 0 });
    const port = (app.server.address() as { port: number }).port;
    interface HeaderCase {
      who: Principal;
      name: string;
      size: number;
    }
    const { requests, failures } = await eachOperation<HeaderCase>(
      () =>
        fc.record({
          who: fc.constantFrom(...PRINCIPALS),
          name: fc.constantFrom('x-fuzz', 'user-agent', 'cookie', 'x-cart-token', 'idempotency-key'),
          size: fc.integer({ min: 20 * 1024, max: 64 * 1024 }),
        }),
      () => PRINCIPALS.map((who) => ({ who, name: 'x-fuzz', size: 20 * 1024 })),
      async (op, { who, name, size }) => {
        const b = build(op, resources, tokens[who], { none: true });
        const res = await overHttp(port, b.method, b.url, { ...b.headers, [name]: 'a'.repeat(size) });
        const what = `${b.method} ${b.url} as ${who} with ${size} B ${name} → ${res.status} ${res.body.slice(0, 200)}`;
        const problem = expectAnswer(res.status, res.headers, res.body, normalHeaders, what);
        if (res.status !== 431 || problem.code !== 'header_fields_too_large')
          throw new Error(`expected 431: ${what}`);
      },
      RUNS.header,
    );
    expect(failures).toEqual([]);
    expect(requests).toBeGreaterThan(0);
  }, 600_000);

  it('stored nothing: service rows unchanged, no U+FFFD anywhere', async () => {
    const after = await storedSnapshot(platform.orderline.database);
    expect(after.replacementChars).toEqual({});
    expect(after).toEqual(before);
  }, 120_000);
});

/** One request over a real socket (no body: the header is refused before it would be read). */
function overHttp(
  port: number,
  method: string,
  path: string,
  headers: Record<string, string>,
): Promise<{ status: number; headers: Record<string, unknown>; body: string }> {
  return new Promise((resolve, reject) => {
    const { 'content-type': _ignored, ...rest } = headers;
    const req = httpRequest({ host: '127.0.0.1', port, method, path, headers: rest }, (r) => {
      let body = '';
      r.setEncoding('utf8');
      r.on('data', (chunk) => {
        body += chunk;
      });
      r.on('end', () => resolve({ status: r.statusCode ?? 0, headers: r.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}
