import type { Kysely, Transaction } from 'kysely';
import type { Clock } from '../../../platform/clock.js';
import { AppError } from '../../../platform/errors/app-error.js';
import { newId } from '../../../platform/ids.js';
import type { Money } from '../../../platform/money.js';
import {
  SIGNATURE_HEADER,
  signedDelivery,
  verifyWebhookSignature,
} from '../../../platform/security/webhook-signature.js';
import type { PaymentDB, TestpayChargeStatus } from '../data/tables.js';
import type {
  PaymentProvider,
  ProviderAuthorizeResult,
  ProviderCall,
  ProviderOperationResult,
  ProviderStatus,
  ProviderWebhookEvent,
} from '../domain/ports.js';
import { parseTestpayWebhook } from './testpay.webhook.js';

/** The test card tokens of 03-api.md. Any other token is refused like an unknown card. */
export const TESTPAY_TOKENS = ['tok_visa', 'tok_declined', 'tok_timeout', 'tok_capture_fails'] as const;

export interface TestpayOptions {
  db: Kysely<PaymentDB>;
  clock: Clock;
  /** PAYMENT_TESTPAY_WEBHOOK_SECRETS: the first signs, all verify. */
  webhookSecrets: readonly string[];
  webhookToleranceSeconds: number;
}

type Stored = Record<string, unknown>;
type Db = Kysely<PaymentDB> | Transaction<PaymentDB>;

/**
 * testpay: a simulated card gateway behind the real provider port. It keeps its own ledger
 * (testpay_charges) and idempotency store (testpay_requests) in the payment schema, so it answers a
 * repeated key with the first answer and never authorizes twice (G2), and it behaves the same on
 * every replica and after a restart, which status sync and reconciliation rely on.
 * `tok_timeout` makes the gateway take the authorization and then never answer, the worst case
 * PAY-P0-01 is about: the charge exists but the caller does not know.
 */
export function createTestpayProvider(options: TestpayOptions): PaymentProvider & {
  /** Signs a webhook delivery as the gateway would send it (dev tooling and tests). */
  signedWebhook(body: string, at?: Date): { body: string; headers: Record<string, string> };
} {
  const { db, clock } = options;

  /** Replays the stored answer for (operation, key), counting the call; undefined when new. */
  async function replay(operation: string, key: string, on: Db = db): Promise<Stored | undefined> {
    const row = await on
      .updateTable('testpay_requests')
      .set((eb) => ({ hits: eb('hits', '+', 1) }))
      .where('operation', '=', operation)
      .where('idempotency_key', '=', key)
      .returning('response')
      .executeTakeFirst();
    return row?.response;
  }

  /** Stores the first answer for a key; a concurrent first call with the same key gets the winner's. */
  async function remember(operation: string, key: string, response: Stored, on: Db = db): Promise<Stored> {
    const inserted = await on
      .insertInto('testpay_requests')
      .values({
        operation,
        idempotency_key: key,
        response: JSON.stringify(response),
        created_at: clock.now(),
      })
      .onConflict((oc) => oc.columns(['operation', 'idempotency_key']).doNothing())
      .returning('response')
      .executeTakeFirst();
    return inserted?.response ?? (await replay(operation, key, on)) ?? response;
  }

  const findCharge = (ref: string | null, authorizeKey?: string) => {
    let q = db.selectFrom('testpay_charges').selectAll();
    if (ref) q = q.where('id', '=', ref);
    else if (authorizeKey) q = q.where('authorize_key', '=', authorizeKey);
    else return Promise.resolve(undefined);
    return q.executeTakeFirst();
  };

  async function setCharge(
    ref: string,
    status: TestpayChargeStatus,
    extra: { captured?: bigint; refunded?: bigint } = {},
  ) {
    await db
      .updateTable('testpay_charges')
      .set({
        status,
        updated_at: clock.now(),
        ...(extra.captured !== undefined ? { captured_amount: extra.captured } : {}),
        ...(extra.refunded !== undefined ? { refunded_amount: extra.refunded } : {}),
      })
      .where('id', '=', ref)
      .execute();
  }

  const failed = (code: string, reason: string): ProviderOperationResult => ({
    kind: 'failed',
    code,
    reason,
  });

  return {
    name: 'testpay',
    hasExternalState: true,
    acceptsWebhooks: true,

    async authorize(call, request): Promise<ProviderAuthorizeResult> {
      const token = request.token ?? '';
      // The gateway's own bookkeeping (replay check, charge, stored answer) commits once.
      const answer = await db.transaction().execute(async (tx) => {
        const previous = await replay('authorize', call.idempotencyKey, tx);
        if (previous) return previous;
        if (token === 'tok_declined' || !(TESTPAY_TOKENS as readonly string[]).includes(token))
          return remember(
            'authorize',
            call.idempotencyKey,
            {
              kind: 'declined',
              code: 'card_declined',
              reason: token === 'tok_declined' ? 'The card was declined' : 'Unknown card token',
            },
            tx,
          );
        const ref = `ch_${newId().replaceAll('-', '')}`;
        const now = clock.now();
        const inserted = await tx
          .insertInto('testpay_charges')
          .values({
            id: ref,
            authorize_key: call.idempotencyKey,
            order_id: request.orderId,
            token,
            amount: request.amount.amount,
            currency: request.amount.currency,
            status: 'authorized',
            created_at: now,
            updated_at: now,
          })
          .onConflict((oc) => oc.column('authorize_key').doNothing())
          .returning('id')
          .executeTakeFirst();
        const existing =
          inserted ??
          (await tx
            .selectFrom('testpay_charges')
            .select('id')
            .where('authorize_key', '=', call.idempotencyKey)
            .executeTakeFirst());
        return remember(
          'authorize',
          call.idempotencyKey,
          { kind: 'authorized', ref: existing?.id ?? ref },
          tx,
        );
      });
      if (token === 'tok_timeout') await neverAnswers(call.signal);
      return answer as ProviderAuthorizeResult;
    },

    async capture(call, ref, amount): Promise<ProviderOperationResult> {
      const previous = await replay('capture', call.idempotencyKey);
      if (previous) return previous as ProviderOperationResult;
      const charge = await findCharge(ref);
      let answer: ProviderOperationResult;
      if (!charge) answer = failed('charge_not_found', `No charge ${ref}`);
      else if (charge.status !== 'authorized')
        answer = failed('charge_not_capturable', `Charge is ${charge.status}`);
      else if (amount.currency !== charge.currency || amount.amount <= 0n || amount.amount > charge.amount)
        answer = failed('invalid_amount', 'Capture amount exceeds the authorization');
      else if (charge.token === 'tok_capture_fails') {
        // The gateway refuses the capture and releases the hold, as card networks do.
        await setCharge(charge.id, 'failed');
        answer = failed('capture_declined', 'The issuer refused the capture');
      } else {
        await setCharge(charge.id, 'captured', { captured: amount.amount });
        answer = { kind: 'succeeded', ref: charge.id };
      }
      return (await remember('capture', call.idempotencyKey, answer)) as ProviderOperationResult;
    },

    async void(call, ref): Promise<ProviderOperationResult> {
      const previous = await replay('void', call.idempotencyKey);
      if (previous) return previous as ProviderOperationResult;
      const charge = await findCharge(ref);
      let answer: ProviderOperationResult;
      if (!charge) answer = failed('charge_not_found', `No charge ${ref}`);
      else if (charge.status === 'voided') answer = { kind: 'succeeded', ref: charge.id };
      else if (charge.status !== 'authorized')
        answer = failed('charge_not_voidable', `Charge is ${charge.status}`);
      else {
        await setCharge(charge.id, 'voided');
        answer = { kind: 'succeeded', ref: charge.id };
      }
      return (await remember('void', call.idempotencyKey, answer)) as ProviderOperationResult;
    },

    async refund(call, ref, amount: Money): Promise<ProviderOperationResult> {
      const previous = await replay('refund', call.idempotencyKey);
      if (previous) return previous as ProviderOperationResult;
      const charge = await findCharge(ref);
      let answer: ProviderOperationResult;
      if (!charge) answer = failed('charge_not_found', `No charge ${ref}`);
      else if (charge.status !== 'captured' && charge.status !== 'partially_refunded')
        answer = failed('charge_not_refundable', `Charge is ${charge.status}`);
      else if (
        amount.currency !== charge.currency ||
        charge.refunded_amount + amount.amount > charge.captured_amount
      )
        answer = failed('invalid_amount', 'Refund exceeds the captured amount');
      else {
        const refunded = charge.refunded_amount + amount.amount;
        await setCharge(charge.id, refunded === charge.captured_amount ? 'refunded' : 'partially_refunded', {
          refunded,
        });
        answer = { kind: 'succeeded', ref: `re_${newId().replaceAll('-', '')}` };
      }
      return (await remember('refund', call.idempotencyKey, answer)) as ProviderOperationResult;
    },

    async status(_call: ProviderCall, lookup): Promise<ProviderStatus> {
      const charge = await findCharge(lookup.ref, lookup.authorizeKey);
      if (!charge) return { state: 'not_found', ref: null, capturedAmount: 0n, refundedAmount: 0n };
      return {
        state: charge.status,
        ref: charge.id,
        capturedAmount: charge.captured_amount,
        refundedAmount: charge.refunded_amount,
      };
    },

    verifyWebhook(rawBody, headers): ProviderWebhookEvent {
      verifyWebhookSignature({
        rawBody,
        header: headers[SIGNATURE_HEADER],
        secrets: options.webhookSecrets,
        toleranceSeconds: options.webhookToleranceSeconds,
        now: clock.now(),
      });
      return parseTestpayWebhook(rawBody);
    },

    signedWebhook(body, at = clock.now()) {
      return signedDelivery('testpay', options.webhookSecrets, body, at);
    },
  };
}

/** Waits until the caller gives up (its timeout signal fires), then fails like a dropped connection. */
function neverAnswers(signal: AbortSignal): Promise<never> {
  return new Promise((_resolve, reject) => {
    const fail = () => reject(new AppError('unavailable', 'provider_timeout', 'testpay did not answer'));
    if (signal.aborted) fail();
    else signal.addEventListener('abort', fail, { once: true });
  });
}
