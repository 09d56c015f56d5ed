import { z } from 'zod';
import { id, money, occurredAt } from './common.schemas.js';
import { defineEvent } from './contract.js';
import { CUSTOMER_NOTIFICATIONS } from './deferred.js';

const method = z.enum(['card', 'cod', 'bank_transfer']);
const base = z.object({ orderId: id, paymentId: id, amount: money, method, occurredAt });

export const paymentAuthorized = defineEvent({
  topic: 'payments.payment.authorized',
  version: 1,
  publisher: 'payment',
  consumers: ['analytics'],
  key: 'order id',
  description: 'Funds authorized.',
  schema: base,
});

export const paymentConfirmed = defineEvent({
  topic: 'payments.payment.confirmed',
  version: 1,
  publisher: 'payment',
  consumers: ['order', 'analytics'],
  deferredConsumers: { notification: CUSTOMER_NOTIFICATIONS },
  key: 'order id',
  description: 'Funds captured (or COD collected, or transfer received).',
  schema: base,
});

export const paymentFailed = defineEvent({
  topic: 'payments.payment.failed',
  version: 1,
  publisher: 'payment',
  consumers: ['order', 'analytics'],
  deferredConsumers: { notification: CUSTOMER_NOTIFICATIONS },
  key: 'order id',
  description: 'Payment failed: order cancels and releases stock.',
  schema: base.extend({ code: z.string().min(1), reason: z.string().nullable() }),
});

export const paymentVoided = defineEvent({
  topic: 'payments.payment.voided',
  version: 1,
  publisher: 'payment',
  consumers: ['order', 'analytics'],
  key: 'order id',
  description: 'Authorization released.',
  schema: base,
});

export const refundCompleted = defineEvent({
  topic: 'payments.refund.completed',
  version: 1,
  publisher: 'payment',
  consumers: ['order', 'analytics', 'customer', 'loyalty', 'notification'],
  deferredConsumers: {},
  key: 'order id',
  description: 'A refund went through; carries its amount and id.',
  schema: z.object({
    orderId: id,
    paymentId: id,
    refundId: id,
    returnId: id.nullable(),
    amount: money,
    fullyRefunded: z.boolean(),
    occurredAt,
  }),
});
