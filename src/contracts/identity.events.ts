import { z } from 'zod';
import { id, occurredAt } from './common.schemas.js';
import { defineEvent, type ServiceName } from './contract.js';
import { STAFF_NOTIFICATIONS } from './deferred.js';

/** auth, user (staff directory) and customer topics. Payloads carry ids, never raw PII (G10). */
const principalType = z.enum(['customer', 'admin', 'shipper']);

export const authLogin = defineEvent({
  topic: 'auth.login',
  version: 1,
  publisher: 'auth',
  consumers: ['customer', 'analytics'],
  key: 'principal id',
  description: 'A successful login.',
  schema: z.object({ principalId: id, principalType, sessionId: id, occurredAt }),
});

export const authPasswordChanged = defineEvent({
  topic: 'auth.password_changed',
  version: 1,
  publisher: 'auth',
  consumers: ['customer', 'notification'],
  key: 'principal id',
  description: 'A password was changed or reset.',
  schema: z.object({ principalId: id, principalType, reason: z.enum(['changed', 'reset']), occurredAt }),
});

const userLifecycle = z.object({
  userId: id,
  role: z.string().min(1),
  status: z.enum(['active', 'suspended', 'deleted']),
  actorId: id.nullable(),
  occurredAt,
});
const userTopic = <const T extends string>(
  topic: T,
  description: string,
  consumers: readonly ServiceName[] = ['analytics'],
) =>
  defineEvent({
    topic,
    version: 1,
    publisher: 'user',
    consumers,
    deferredConsumers: { notification: STAFF_NOTIFICATIONS },
    key: 'user id',
    description,
    schema: userLifecycle,
  });
export const userCreated = userTopic('user.created', 'A staff account was created.');
export const userUpdated = userTopic('user.updated', 'A staff account was changed (name or roles).');
// auth consumes these two to revoke the account's sessions (U1).
export const userDeleted = userTopic('user.deleted', 'A staff account was deleted.', ['auth', 'analytics']);
export const userStatusChanged = userTopic(
  'user.status_changed',
  'A staff account was suspended or reactivated.',
  ['auth', 'analytics'],
);

// pending_verification: registered, email not yet verified (additive in v1, issue 6).
const customerStatus = z.enum(['pending_verification', 'active', 'suspended', 'deleted']);
export const customerCreated = defineEvent({
  topic: 'customer.created',
  version: 1,
  publisher: 'customer',
  consumers: ['notification', 'analytics', 'loyalty'],
  key: 'customer id',
  description: 'A customer registered.',
  schema: z.object({ customerId: id, principalId: id, locale: z.string().nullable(), occurredAt }),
});

export const customerUpdated = defineEvent({
  topic: 'customer.updated',
  version: 1,
  publisher: 'customer',
  consumers: ['analytics'],
  key: 'customer id',
  description: 'A profile change; names of the changed fields only, no PII.',
  schema: z.object({ customerId: id, changedFields: z.array(z.string()), occurredAt }),
});

export const customerStatusChanged = defineEvent({
  topic: 'customer.status_changed',
  version: 1,
  publisher: 'customer',
  consumers: ['auth', 'analytics'],
  key: 'customer id',
  description: 'A customer was suspended, reactivated or deleted.',
  schema: z.object({ customerId: id, oldStatus: customerStatus, newStatus: customerStatus, occurredAt }),
});

export const customerDeleted = defineEvent({
  topic: 'customer.deleted',
  version: 1,
  publisher: 'customer',
  consumers: ['auth', 'notification', 'order', 'analytics', 'loyalty', 'review'],
  key: 'customer id',
  description: 'GDPR erasure: every service erases or anonymizes what it holds about the customer (G10).',
  schema: z.object({ customerId: id, principalId: id, occurredAt }),
});

// The customer service's own retry driver for account email (issue 19): ids only, the email and its
// one-time link stay in the customer schema until notification has accepted them (G10).
export const customerAccountMailRequested = defineEvent({
  topic: 'customer.account_mail_requested',
  version: 1,
  publisher: 'customer',
  consumers: ['customer'],
  key: 'customer id',
  description:
    'A verification or password-reset email was queued; its consumer hands it to notification, retried and dead-lettered (G5).',
  schema: z.object({
    mailId: id,
    customerId: id,
    template: z.enum(['email_verification', 'password_reset']),
    occurredAt,
  }),
});
