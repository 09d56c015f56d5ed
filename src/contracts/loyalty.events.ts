import { z } from 'zod';
import { id, occurredAt } from './common.schemas.js';
import { defineEvent } from './contract.js';

export const pointsChanged = defineEvent({
  topic: 'loyalty.points.changed',
  version: 1,
  publisher: 'loyalty',
  consumers: ['analytics', 'notification'],
  key: 'customer id',
  description:
    'Points earned, reversed, redeemed (at checkout), released (a failed or cancelled redemption), expired or adjusted.',
  schema: z.object({
    customerId: id,
    transactionId: id,
    orderId: id.nullable(),
    // Additive (v1): `released` gives back points redeemed for a checkout that failed or an order cancelled.
    kind: z.enum(['earned', 'reversed', 'redeemed', 'released', 'expired', 'adjusted']),
    points: z.number().int(),
    balance: z.number().int(),
    occurredAt,
  }),
});
