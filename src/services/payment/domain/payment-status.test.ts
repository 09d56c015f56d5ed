import { describe, expect, it } from 'vitest';
import type { PaymentStatus } from '../contract/client.js';
import { assertTransition, canTransition, isTerminal, PAYMENT_STATUSES } from './payment-status.js';

/** Every (from, to) pair, with the edges the spec allows listed explicitly (conventions §10). */
const ALLOWED = new Set([
  'pending>authorized',
  'pending>captured',
  'pending>voided',
  'pending>failed',
  'pending>expired',
  'authorized>captured',
  'authorized>voided',
  'authorized>failed',
  'captured>partially_refunded',
  'captured>refunded',
  'partially_refunded>partially_refunded',
  'partially_refunded>refunded',
]);

describe('payment state machine', () => {
  const pairs = PAYMENT_STATUSES.flatMap((from) => PAYMENT_STATUSES.map((to) => [from, to] as const));

  it.each(pairs)('%s → %s follows the table', (from: PaymentStatus, to: PaymentStatus) => {
    const allowed = ALLOWED.has(`${from}>${to}`);
    expect(canTransition(from, to)).toBe(allowed);
    if (allowed) expect(() => assertTransition(from, to)).not.toThrow();
    else
      expect(() => assertTransition(from, to)).toThrow(
        expect.objectContaining({ code: 'invalid_transition' }),
      );
  });

  it('never leaves a terminal state', () => {
    for (const terminal of ['refunded', 'voided', 'failed', 'expired'] as const) {
      expect(isTerminal(terminal)).toBe(true);
      for (const to of PAYMENT_STATUSES) expect(canTransition(terminal, to)).toBe(false);
    }
    expect(isTerminal('pending')).toBe(false);
  });
});
