import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { OrderPaymentStatus } from '../domain/order-status.js';
import { paymentStatusAhead } from './order-transition.js';

/** G6 for payment facts: applied "only if ahead", any arrival order ends at the chain's last status. */
describe('payment status applied in any order', () => {
  const chains: OrderPaymentStatus[][] = [
    ['authorized', 'captured', 'partially_refunded', 'refunded'],
    ['authorized', 'voided'],
    ['pending', 'captured', 'refunded'],
    ['pending', 'voided'],
    ['authorized', 'failed'],
  ];
  it('converges to the last status of the chain for every permutation', () => {
    for (const chain of chains)
      fc.assert(
        fc.property(fc.shuffledSubarray(chain, { minLength: chain.length }), (events) => {
          let status: OrderPaymentStatus = chain[0] === 'pending' ? 'pending' : 'authorized';
          for (const e of [...events, ...events]) if (paymentStatusAhead(status, e)) status = e;
          expect(status).toBe(chain.at(-1));
        }),
      );
  });

  it('never moves back', () => {
    expect(paymentStatusAhead('refunded', 'captured')).toBe(false);
    expect(paymentStatusAhead('captured', 'authorized')).toBe(false);
    expect(paymentStatusAhead('voided', 'voided')).toBe(false);
  });
});
