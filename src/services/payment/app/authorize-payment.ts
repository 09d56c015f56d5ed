import type { Ctx } from '../../../platform/context.js';
import { AppError, validationFailed } from '../../../platform/errors/app-error.js';
import { transaction } from '../../../platform/eventing/index.js';
import { isUuid, newId } from '../../../platform/ids.js';
import { isCurrency } from '../../../platform/money.js';
import type { AuthorizeRequest, AuthorizeResult } from '../contract/client.js';
import { type PaymentRow, paymentRepository as repo } from '../data/payment.repository.js';
import type { ProviderAuthorizeResult } from '../domain/ports.js';
import type { PaymentDeps } from './deps.js';
import { beginOperation } from './operation.js';
import { ProviderUnavailable } from './resilient-providers.js';
import { moveTo } from './transition.js';

export const KEY_MAX = 200;

export function checkKey(key: string): void {
  if (key.length === 0 || key.length > KEY_MAX)
    throw validationFailed(`idempotencyKey must be 1-${KEY_MAX} characters`, [
      { path: 'idempotencyKey', message: `1-${KEY_MAX} characters` },
    ]);
}

function validate(request: AuthorizeRequest): void {
  const fields = [];
  if (!isUuid(request.orderId)) fields.push({ path: 'orderId', message: 'a UUID' });
  if (request.amount.amount <= 0n) fields.push({ path: 'amount', message: 'greater than zero' });
  if (!isCurrency(request.amount.currency))
    fields.push({ path: 'amount.currency', message: 'ISO 4217 code' });
  if (request.method === 'card' && !request.token)
    fields.push({ path: 'token', message: 'required for card payments' });
  if (fields.length > 0) throw validationFailed('The payment request is not valid', fields);
  checkKey(request.idempotencyKey);
}

/** The answer a settled payment gives to a repeated authorize (same key → same result, G2). */
function settledResult(row: PaymentRow, authorizeSucceeded: boolean): AuthorizeResult | undefined {
  switch (row.status) {
    case 'authorized':
    case 'captured':
    case 'partially_refunded':
    case 'refunded':
      return { ok: true, paymentId: row.id, status: 'authorized', provider: row.provider };
    case 'failed':
    case 'expired':
    case 'voided':
      return {
        ok: false,
        reason: 'declined',
        paymentId: row.id,
        detail: row.failure_reason ?? `The payment is ${row.status}`,
      };
    case 'pending':
      // A card payment still pending has no answer yet (first call, or the answer was lost).
      return row.method !== 'card' && authorizeSucceeded
        ? { ok: true, paymentId: row.id, status: 'pending', provider: row.provider }
        : undefined;
  }
}

/**
 * Authorizes a card through its gateway or registers a COD / bank-transfer payment (pending).
 * One payment per idempotency key: a repeat returns the stored outcome without calling the
 * provider; a repeat whose first answer was lost asks the provider again with the same key, which
 * the provider deduplicates (G2). No answer → the attempt is logged `unknown` (status sync or a
 * void cleans up) and AppError('unavailable', 'payment_unavailable') is thrown (PAY-P0-01).
 */
export async function authorizePayment(
  ctx: Ctx,
  deps: PaymentDeps,
  request: AuthorizeRequest,
): Promise<AuthorizeResult> {
  validate(request);
  const provider = deps.providerFor[request.method];
  const key = request.idempotencyKey;
  // The payment row and the operation log entry commit together, before the provider is called.
  const payment = await transaction(deps.db, async (tx) => {
    const created = await repo.insertIfNew(tx, {
      id: newId(),
      orderId: request.orderId,
      provider,
      method: request.method,
      amount: request.amount.amount,
      currency: request.amount.currency,
      idempotencyKey: key,
      now: deps.clock.now(),
    });
    const row = created ?? (await repo.findByKey(tx, key));
    if (!row) throw new AppError('internal', 'payment_missing', `Payment for key ${key} vanished`);
    if (
      row.order_id !== request.orderId ||
      row.method !== request.method ||
      row.amount !== request.amount.amount ||
      row.currency !== request.amount.currency
    )
      throw new AppError(
        'unprocessable',
        'idempotency_key_reused',
        'This idempotency key was used for a different payment request',
      );
    if (!created) {
      const op = await repo.findOperation(tx, key);
      const settled = settledResult(row, op?.status === 'succeeded');
      if (settled) return { settled, row };
    }
    await beginOperation(tx, {
      paymentId: row.id,
      kind: 'authorize',
      key,
      amount: row.amount,
      now: deps.clock.now(),
    });
    return { settled: undefined, row };
  });
  if (payment.settled) return payment.settled;
  return callProvider(ctx, deps, payment.row, provider, request);
}

async function callProvider(
  ctx: Ctx,
  deps: PaymentDeps,
  payment: PaymentRow,
  provider: PaymentRow['provider'],
  request: AuthorizeRequest,
): Promise<AuthorizeResult> {
  const key = request.idempotencyKey;
  let answer: ProviderAuthorizeResult;
  try {
    answer = await deps.providers.call(provider, key, (p, call) =>
      p.authorize(call, {
        orderId: request.orderId,
        amount: request.amount,
        method: request.method,
        token: request.token,
      }),
    );
  } catch (err) {
    if (err instanceof ProviderUnavailable) {
      // Recorded before surfacing, so a void or the status-sync job can release what the
      // provider may hold.
      await repo.finishOperation(
        deps.db,
        key,
        { status: err.outcomeUnknown ? 'unknown' : 'failed', error: err.reason },
        deps.clock.now(),
      );
      ctx.logger.warn(
        { paymentId: payment.id, provider, reason: err.reason },
        'payment authorization got no answer',
      );
    }
    throw err;
  }
  return applyAuthorization(ctx, deps, payment, answer);
}

async function applyAuthorization(
  ctx: Ctx,
  deps: PaymentDeps,
  payment: PaymentRow,
  answer: ProviderAuthorizeResult,
): Promise<AuthorizeResult> {
  const now = deps.clock.now();
  const key = payment.idempotency_key;
  const result = await transaction(deps.db, async (tx) => {
    const current = await repo.lock(tx, payment.id);
    if (!current) throw new AppError('internal', 'payment_missing', `Payment ${payment.id} vanished`);
    if (answer.kind === 'pending') {
      await repo.setRef(tx, current.id, answer.ref, now);
      await repo.finishOperation(tx, key, { status: 'succeeded', providerRef: answer.ref }, now);
      return settledResult(current, true);
    }
    // A racing call with the same key (or a void) may have settled it already: report that.
    if (current.status !== 'pending') return settledResult(current, true);
    if (answer.kind === 'authorized') {
      await moveTo(tx, current, { to: 'authorized', providerRef: answer.ref }, now);
      await repo.finishOperation(tx, key, { status: 'succeeded', providerRef: answer.ref }, now);
      return {
        ok: true as const,
        paymentId: current.id,
        status: 'authorized' as const,
        provider: current.provider,
      };
    }
    await moveTo(tx, current, { to: 'failed', failure: { code: answer.code, reason: answer.reason } }, now);
    await repo.finishOperation(tx, key, { status: 'failed', error: answer.code }, now);
    return { ok: false as const, reason: 'declined' as const, paymentId: current.id, detail: answer.reason };
  });
  if (!result) throw new AppError('internal', 'payment_unsettled', `Payment ${payment.id} has no outcome`);
  ctx.logger.info(
    { paymentId: payment.id, orderId: payment.order_id, ok: result.ok },
    'payment authorization settled',
  );
  return result;
}
