import { z } from 'zod';
import { id, occurredAt } from './common.schemas.js';
import { defineEvent } from './contract.js';
import { CUSTOMER_NOTIFICATIONS, NOT_BUILT } from './deferred.js';

export const pointsChanged = defineEvent({
  topic: 'loyalty.points.changed',
  version: 1,
  publisher: 'loyalty',
  consumers: [],
  deferredConsumers: { notification: CUSTOMER_NOTIFICATIONS, analytics: NOT_BUILT.analytics },
  key: 'customer id',
  description: 'Points earned, reversed, redeemed or expired.',
  schema: z.object({
    customerId: id,
    transactionId: id,
    orderId: id.nullable(),
    kind: z.enum(['earned', 'reversed', 'redeemed', 'expired', 'adjusted']),
    points: z.number().int(),
    balance: z.number().int(),
    occurredAt,
  }),
});
