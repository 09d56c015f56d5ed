import { describe, expect, it } from 'vitest';
import {
  assertReturnTransition,
  canTransitionReturn,
  OPEN_RETURN_STATUSES,
  RETURN_STATUSES,
  type ReturnStatus,
  returnSourcesOf,
} from './return-status.js';

/** 02-events.md "Return status", edge by edge, so the table is checked against the spec. */
const SPEC_EDGES: [ReturnStatus, ReturnStatus][] = [
  ['requested', 'approved'],
  ['requested', 'rejected'],
  ['approved', 'received'],
  ['approved', 'rejected'],
  ['received', 'completed'],
];

describe('return status transitions', () => {
  it('allows exactly the edges of the spec, walking every pair', () => {
    const allowed = new Set(SPEC_EDGES.map(([a, b]) => `${a}>${b}`));
    let checked = 0;
    for (const from of RETURN_STATUSES)
      for (const to of RETURN_STATUSES) {
        expect(canTransitionReturn(from, to), `${from} → ${to}`).toBe(allowed.has(`${from}>${to}`));
        if (allowed.has(`${from}>${to}`)) expect(() => assertReturnTransition(from, to)).not.toThrow();
        else
          expect(() => assertReturnTransition(from, to), `${from} → ${to}`).toThrow(
            expect.objectContaining({ kind: 'conflict', code: 'invalid_transition' }),
          );
        checked++;
      }
    expect(checked).toBe(RETURN_STATUSES.length ** 2);
  });

  it('ends in rejected or completed, and never leaves them', () => {
    for (const end of ['rejected', 'completed'] as const)
      for (const to of RETURN_STATUSES) expect(canTransitionReturn(end, to)).toBe(false);
  });

  it('names the sources of each target and the open statuses', () => {
    expect(returnSourcesOf('rejected')).toEqual(['requested', 'approved']);
    expect(returnSourcesOf('received')).toEqual(['approved']);
    expect(returnSourcesOf('requested')).toEqual([]);
    // Open = neither end state: exactly what may still change.
    expect([...OPEN_RETURN_STATUSES]).toEqual(
      RETURN_STATUSES.filter((s) => RETURN_STATUSES.some((to) => canTransitionReturn(s, to))),
    );
  });
});
