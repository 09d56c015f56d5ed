import { createHash } from 'node:crypto';
import type { Ctx } from '../../../platform/context.js';
import { AppError, notFound } from '../../../platform/errors/app-error.js';
import { transaction } from '../../../platform/eventing/index.js';
import { newId } from '../../../platform/ids.js';
import type { PaymentStatus } from '../contract/client.js';
import { paymentRepository as repo } from '../data/payment.repository.js';
import { webhookRepository as hooks } from '../data/webhook.repository.js';
import { canTransition } from '../domain/payment-status.js';
import type { ProviderWebhookEvent } from '../domain/ports.js';
import type { PaymentDeps } from './deps.js';
import { moveTo } from './transition.js';

export interface WebhookOutcome {
  received: true;
  eventId: string;
  outcome: 'applied' | 'already_applied' | 'ignored_stale';
  paymentId: string;
  status: PaymentStatus;
}

/**
 * An `in_progress` row older than this belongs to a process that died mid-way (processing is one
 * local transaction that takes milliseconds); a redelivery may take it over.
 */
const ABANDONED_AFTER_MS = 60_000;

const TARGET: Record<ProviderWebhookEvent['type'], PaymentStatus> = {
  'payment.authorized': 'authorized',
  'payment.captured': 'captured',
  'payment.failed': 'failed',
  'payment.voided': 'voided',
};

/**
 * POST /payments/webhooks/{provider}. Order matters: the signature is verified over the raw body
 * before anything is stored (OR-P0-04, 401 and nothing processed); then the event id is claimed
 * (PAY-P0-02): same id + same body → the stored outcome is replayed, same id + different body →
 * 409, still in progress → 409; then the transition, its event and the `completed` mark commit in
 * one transaction, so a delivery is applied exactly once (G2).
 */
export async function handleWebhook(
  ctx: Ctx,
  deps: PaymentDeps,
  providerName: string,
  rawBody: string,
  headers: Record<string, string | string[] | undefined>,
): Promise<WebhookOutcome> {
  const provider = deps.providers.get(providerName);
  if (!provider?.acceptsWebhooks) throw notFound('Payment provider', providerName.slice(0, 64));
  const event = provider.verifyWebhook(rawBody, headers);
  const hash = createHash('sha256').update(rawBody, 'utf8').digest('hex');
  const now = deps.clock.now();
  const id = newId();

  let rowId = id;
  const claimed = await hooks.insertInProgress(deps.db, {
    id,
    provider: provider.name,
    eventId: event.eventId,
    type: event.type,
    hash,
    now,
  });
  if (!claimed) {
    const existing = await hooks.find(deps.db, provider.name, event.eventId);
    if (!existing)
      throw new AppError('conflict', 'webhook_in_progress', 'The event is being processed; retry');
    if (existing.request_hash !== hash)
      throw new AppError(
        'conflict',
        'webhook_event_conflict',
        `Event ${event.eventId} was already received with a different body`,
      );
    if (existing.status === 'completed') return existing.response as unknown as WebhookOutcome;
    const abandoned = now.getTime() - existing.updated_at.getTime() > ABANDONED_AFTER_MS;
    const retakable = existing.status === 'failed' || abandoned;
    const retaken =
      retakable &&
      (await hooks.retake(
        deps.db,
        existing.id,
        { status: existing.status, updatedAt: existing.updated_at },
        now,
      ));
    if (!retaken)
      throw new AppError(
        'conflict',
        'webhook_in_progress',
        `Event ${event.eventId} is being processed; retry later`,
      );
    rowId = existing.id;
  }

  try {
    const outcome = await transaction(deps.db, async (tx) => {
      const payment = await repo.lockByRef(tx, provider.name, event.ref);
      if (!payment) throw notFound('Payment with provider reference', event.ref.slice(0, 64));
      const to = TARGET[event.type];
      let result: WebhookOutcome['outcome'] = 'applied';
      let status = payment.status;
      if (payment.status === to) result = 'already_applied';
      else if (!canTransition(payment.status, to))
        result = 'ignored_stale'; // G6: never move back
      else {
        const capturedAmount = to === 'captured' ? (event.amount ?? payment.amount) : undefined;
        if (capturedAmount !== undefined && (capturedAmount <= 0n || capturedAmount > payment.amount))
          throw new AppError(
            'unprocessable',
            'invalid_amount',
            'The captured amount exceeds the authorization',
          );
        const moved = await moveTo(
          tx,
          payment,
          {
            to,
            ...(capturedAmount !== undefined ? { capturedAmount } : {}),
            ...(to === 'failed'
              ? { failure: { code: 'provider_reported_failure', reason: event.reason } }
              : {}),
          },
          now,
        );
        if (!moved)
          throw new AppError('conflict', 'conflict', `Payment ${payment.id} changed meanwhile; redeliver`);
        status = moved.status;
      }
      const response: WebhookOutcome = {
        received: true,
        eventId: event.eventId,
        outcome: result,
        paymentId: payment.id,
        status,
      };
      await hooks.complete(tx, rowId, response as unknown as Record<string, unknown>, now);
      return response;
    });
    ctx.logger.info(
      { provider: provider.name, eventId: event.eventId, outcome: outcome.outcome },
      'payment webhook handled',
    );
    return outcome;
  } catch (err) {
    // Stored as failed (never as done), so the provider's redelivery runs it again.
    await hooks.fail(deps.db, rowId, (err as Error).message, deps.clock.now());
    throw err;
  }
}
