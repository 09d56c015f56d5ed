import type { Transaction } from 'kysely';
import type { Clock } from '../../../platform/clock.js';
import { type AnyConsumerDeclaration, defineConsumer } from '../../../platform/eventing/index.js';
import type { AuthMetrics } from '../app/auth.metrics.js';
import type { SessionRepository } from '../data/session.repository.js';
import type { AuthDB } from '../data/tables.js';

export interface LifecycleConsumerDeps {
  sessions: SessionRepository;
  clock: Clock;
  metrics: AuthMetrics;
}

const STAFF = ['admin', 'shipper'] as const;

/**
 * Principals that stop being active lose every session (U1, C7; docs/security.md). Validation
 * already refuses tokens of an inactive principal on every request (the directory is asked); these
 * consumers end the sessions themselves so nothing can be refreshed even if the account comes back.
 * Revoking an already revoked session changes nothing, and the inbox makes redelivery a no-op (G4).
 * Customers sign in with their customer id as principal id, which `customer.status_changed` carries.
 */
export function principalLifecycleConsumers(deps: LifecycleConsumerDeps): AnyConsumerDeclaration[] {
  const { sessions, clock, metrics } = deps;
  const count = (reason: string, n: number) => {
    if (n > 0) metrics.sessionsRevoked.inc({ reason }, n);
  };

  return [
    defineConsumer<'user.status_changed', AuthDB>({
      subscription: 'auth.user-status-changed',
      topic: 'user.status_changed',
      async handle(tx: Transaction<AuthDB>, event, ctx) {
        if (event.data.status === 'active') return;
        const reason = `user_${event.data.status}`;
        const n = await sessions.revokeAllOf(
          { types: STAFF, id: event.data.userId },
          reason,
          clock.now(),
          tx,
        );
        count(reason, n);
        ctx.logger.info({ userId: event.data.userId, revoked: n }, 'staff sessions revoked');
      },
    }),
    defineConsumer<'user.deleted', AuthDB>({
      subscription: 'auth.user-deleted',
      topic: 'user.deleted',
      async handle(tx: Transaction<AuthDB>, event, ctx) {
        const n = await sessions.revokeAllOf(
          { types: STAFF, id: event.data.userId },
          'user_deleted',
          clock.now(),
          tx,
        );
        count('user_deleted', n);
        ctx.logger.info({ userId: event.data.userId, revoked: n }, 'deleted staff user: sessions revoked');
      },
    }),
    defineConsumer<'customer.status_changed', AuthDB>({
      subscription: 'auth.customer-status-changed',
      topic: 'customer.status_changed',
      async handle(tx: Transaction<AuthDB>, event, ctx) {
        const status = event.data.newStatus;
        if (status !== 'suspended' && status !== 'deleted') return;
        const reason = `customer_${status}`;
        const n = await sessions.revokeAllOf(
          { types: ['customer'], id: event.data.customerId },
          reason,
          clock.now(),
          tx,
        );
        count(reason, n);
        ctx.logger.info({ customerId: event.data.customerId, revoked: n }, 'customer sessions revoked');
      },
    }),
    defineConsumer<'customer.deleted', AuthDB>({
      subscription: 'auth.customer-deleted',
      topic: 'customer.deleted',
      async handle(tx: Transaction<AuthDB>, event, ctx) {
        // Erasure (G10): the sessions hold the customer's IP addresses and user agents, so they
        // are deleted rather than revoked; their refresh tokens go with them (ON DELETE CASCADE).
        const n = await sessions.deleteAllOf(tx, { type: 'customer', id: event.data.principalId });
        count('customer_deleted', n);
        ctx.logger.info({ customerId: event.data.customerId, erased: n }, 'customer sessions erased');
      },
    }),
  ];
}
