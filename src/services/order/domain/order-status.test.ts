import { describe, expect, it } from 'vitest';
import {
  canTransition,
  canTransitionPayment,
  isTerminal,
  ORDER_STATUSES,
  type OrderPaymentStatus,
  type OrderStatus,
  PAYMENT_STATUSES,
} from './order-status.js';

/** The graph of 02-events.md, written out edge by edge so the table is checked against the spec. */
const SPEC_EDGES: [OrderStatus, OrderStatus][] = [
  ['pending', 'confirmed'],
  ['pending', 'cancelled'],
  ['confirmed', 'processing'],
  ['confirmed', 'cancelled'],
  ['processing', 'shipped'],
  ['processing', 'cancelled'],
  ['shipped', 'delivered'],
  ['delivered', 'completed'],
  ['delivered', 'return_requested'],
  ['delivered', 'refunded'],
  ['return_requested', 'returned'],
  ['return_requested', 'partially_returned'],
];

describe('order status transitions', () => {
  it('allows exactly the edges of the spec graph, walking every pair', () => {
    const allowed = new Set(SPEC_EDGES.map(([a, b]) => `${a}>${b}`));
    let checked = 0;
    for (const from of ORDER_STATUSES)
      for (const to of ORDER_STATUSES) {
        expect(canTransition(from, to), `${from} → ${to}`).toBe(allowed.has(`${from}>${to}`));
        checked++;
      }
    expect(checked).toBe(ORDER_STATUSES.length ** 2);
  });

  it('never moves backwards or out of a terminal status (G6, OR-P1-02)', () => {
    expect(canTransition('shipped', 'pending')).toBe(false);
    expect(canTransition('delivered', 'shipped')).toBe(false);
    expect(canTransition('shipped', 'cancelled')).toBe(false);
    for (const s of ['completed', 'cancelled', 'returned', 'partially_returned', 'refunded'] as const) {
      expect(isTerminal(s)).toBe(true);
      for (const to of ORDER_STATUSES) expect(canTransition(s, to)).toBe(false);
    }
    expect(isTerminal('pending')).toBe(false);
  });
});

describe('order payment status transitions', () => {
  it('follows pending → authorized → captured → refunds, authorized → voided, * → failed', () => {
    const edges = new Set([
      'pending>authorized',
      'pending>captured',
      'authorized>captured',
      'authorized>voided',
      'captured>partially_refunded',
      'captured>refunded',
      'partially_refunded>partially_refunded',
      'partially_refunded>refunded',
      ...PAYMENT_STATUSES.filter((s) => s !== 'failed').map((s) => `${s}>failed`),
    ]);
    for (const from of PAYMENT_STATUSES)
      for (const to of PAYMENT_STATUSES)
        expect(canTransitionPayment(from as OrderPaymentStatus, to), `${from} → ${to}`).toBe(
          edges.has(`${from}>${to}`),
        );
  });
});
