import { describe, expect, it } from 'vitest';
import {
  canTransition,
  REVIEW_STATUSES,
  type ReviewStatus,
  sourcesOf,
  visibilityChange,
} from './review-status.js';

const ALLOWED: [ReviewStatus, ReviewStatus][] = [
  ['pending', 'published'],
  ['pending', 'rejected'],
  ['pending', 'withdrawn'],
  ['published', 'rejected'],
  ['published', 'withdrawn'],
];

describe('review status transitions', () => {
  it('allows exactly the listed moves, walking every pair', () => {
    for (const from of REVIEW_STATUSES)
      for (const to of REVIEW_STATUSES) {
        const expected = ALLOWED.some(([f, t]) => f === from && t === to);
        expect(canTransition(from, to), `${from} → ${to}`).toBe(expected);
      }
  });

  it('names the sources of each target', () => {
    expect(sourcesOf('published')).toEqual(['pending']);
    expect(sourcesOf('rejected')).toEqual(['pending', 'published']);
    expect(sourcesOf('pending')).toEqual([]);
  });

  it('publishes on approval and removes when a published review leaves', () => {
    expect(visibilityChange('pending', 'published')).toBe(1);
    expect(visibilityChange('published', 'rejected')).toBe(-1);
    expect(visibilityChange('published', 'withdrawn')).toBe(-1);
    expect(visibilityChange('pending', 'rejected')).toBe(0);
  });
});
