import { describe, expect, it } from 'vitest';
import {
  canTransition,
  LIVE_STATUSES,
  RESERVATION_STATUSES,
  settledStatus,
  sourcesOf,
} from './reservation-status.js';

const allowed = new Set([
  'active>confirmed',
  'active>expired',
  'active>released',
  'confirmed>fulfilled',
  'confirmed>released',
]);

describe('reservation status transitions', () => {
  for (const from of RESERVATION_STATUSES)
    for (const to of RESERVATION_STATUSES)
      it(`${from} → ${to} is ${allowed.has(`${from}>${to}`) ? 'allowed' : 'refused'}`, () => {
        expect(canTransition(from, to)).toBe(allowed.has(`${from}>${to}`));
      });

  it('derives the SQL guards from the table', () => {
    expect(sourcesOf('released')).toEqual(['active', 'confirmed']);
    expect(sourcesOf('expired')).toEqual(['active']);
    expect(sourcesOf('fulfilled')).toEqual(['confirmed']);
    expect(LIVE_STATUSES).toEqual(sourcesOf('released'));
  });
});

describe('settledStatus', () => {
  it('waits while an item holds its units', () => {
    expect(settledStatus([])).toBeUndefined();
    expect(settledStatus(['fulfilled', null])).toBeUndefined();
  });

  it('is fulfilled when anything shipped, released when everything went back', () => {
    expect(settledStatus(['fulfilled', 'fulfilled'])).toBe('fulfilled');
    expect(settledStatus(['released', 'fulfilled'])).toBe('fulfilled');
    expect(settledStatus(['released', 'released'])).toBe('released');
  });
});
