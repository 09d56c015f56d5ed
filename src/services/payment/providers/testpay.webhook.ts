import { z } from 'zod';
import { validationFailed } from '../../../platform/errors/app-error.js';
import type { ProviderWebhookEvent } from '../domain/ports.js';

/**
 * testpay's webhook body: `{ id, type, data: { chargeId, amount?, reason? } }`. Parsed only after
 * the signature is verified; a signed body that does not parse is the sender's bug (400).
 */
const testpayWebhook = z.object({
  id: z.string().min(1).max(200),
  type: z.enum(['payment.authorized', 'payment.captured', 'payment.failed', 'payment.voided']),
  data: z.object({
    chargeId: z.string().min(1).max(200),
    amount: z
      .string()
      .regex(/^\d{1,18}$/)
      .optional(),
    reason: z.string().max(500).optional(),
  }),
});

export function parseTestpayWebhook(rawBody: string): ProviderWebhookEvent {
  let json: unknown;
  try {
    json = JSON.parse(rawBody);
  } catch (err) {
    throw validationFailed(`The webhook body is not JSON: ${(err as Error).message}`);
  }
  const parsed = testpayWebhook.safeParse(json);
  if (!parsed.success)
    throw validationFailed(
      'The webhook body is not a testpay event',
      parsed.error.issues.map((i) => ({ path: `body.${i.path.join('.')}`, message: i.message })),
    );
  const { id, type, data } = parsed.data;
  return {
    eventId: id,
    type,
    ref: data.chargeId,
    amount: data.amount === undefined ? null : BigInt(data.amount),
    reason: data.reason ?? null,
  };
}
