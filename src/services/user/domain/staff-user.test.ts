import { describe, expect, it } from 'vitest';
import { AppError } from '../../../platform/errors/app-error.js';
import {
  assertMutable,
  assertTransition,
  canTransition,
  defaultRolesFor,
  isStaffType,
  normalizeEmail,
  STAFF_STATUSES,
  STATUS_TRANSITIONS,
} from './staff-user.js';

describe('staff status transitions', () => {
  const allowed = new Set(['active→suspended', 'active→deleted', 'suspended→active', 'suspended→deleted']);

  // Walks every pair (conventions §10) so a new status or edge cannot slip in unnoticed.
  for (const from of STAFF_STATUSES) {
    for (const to of STAFF_STATUSES) {
      if (from === to) continue;
      const edge = `${from}→${to}`;
      it(`${edge} is ${allowed.has(edge) ? 'allowed' : 'refused'}`, () => {
        expect(canTransition(from, to)).toBe(allowed.has(edge));
        if (allowed.has(edge)) expect(() => assertTransition(from, to)).not.toThrow();
        else
          expect(() => assertTransition(from, to)).toThrow(
            expect.objectContaining({ code: 'invalid_transition' }),
          );
      });
    }
  }

  it('treats staying in the same status as a no-op, even for deleted', () => {
    for (const status of STAFF_STATUSES) expect(() => assertTransition(status, status)).not.toThrow();
  });

  it('has deleted as the only terminal status', () => {
    expect(STAFF_STATUSES.filter((s) => STATUS_TRANSITIONS[s].length === 0)).toEqual(['deleted']);
  });

  it('makes deleted accounts read-only with a 409', () => {
    expect(() => assertMutable('active')).not.toThrow();
    expect(() => assertMutable('suspended')).not.toThrow();
    const err = (() => {
      try {
        assertMutable('deleted');
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(AppError);
    expect((err as AppError).kind).toBe('conflict');
  });
});

describe('staff account helpers', () => {
  it('normalizes emails to trimmed lower case', () => {
    expect(normalizeEmail('  Ada.Lovelace@Example.COM ')).toBe('ada.lovelace@example.com');
  });

  it('recognizes only staff types', () => {
    expect(isStaffType('admin')).toBe(true);
    expect(isStaffType('shipper')).toBe(true);
    expect(isStaffType('customer')).toBe(false);
  });

  it('defaults roles to the role named like the type', () => {
    expect(defaultRolesFor('shipper')).toEqual(['shipper']);
    expect(defaultRolesFor('admin')).toEqual(['admin']);
  });
});
