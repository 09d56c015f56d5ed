import { describe, expect, it } from 'vitest';
import { AppError } from '../errors/app-error.js';
import { type AddressInput, validateAddress } from './address.js';

const base: AddressInput = {
  firstName: ' Ada ',
  lastName: 'Lovelace',
  line1: '1 Main St',
  city: 'San Francisco',
  region: 'CA',
  postalCode: '94103',
  country: 'us',
  phone: '+14155550123',
};

function fieldsOf(input: AddressInput): string[] {
  try {
    validateAddress(input);
  } catch (err) {
    expect(err).toBeInstanceOf(AppError);
    return ((err as AppError).fields ?? []).map((f) => f.path);
  }
  throw new Error('expected a validation error');
}

describe('validateAddress', () => {
  it('trims, upper-cases the country and fills absent optionals with null', () => {
    expect(validateAddress(base)).toEqual({
      firstName: 'Ada',
      lastName: 'Lovelace',
      line1: '1 Main St',
      line2: null,
      city: 'San Francisco',
      region: 'CA',
      postalCode: '94103',
      country: 'US',
      phone: '+14155550123',
    });
  });

  it.each([
    ['US', '94103-1234', '94103-1234'],
    ['CA', 'k1a0b1', 'K1A 0B1'],
    ['GB', 'sw1a1aa', 'SW1A 1AA'],
    ['GB', 'M1 1AE', 'M1 1AE'],
    ['DE', '10115', '10115'],
    ['FR', '75008', '75008'],
    ['NL', '1012ab', '1012 AB'],
    ['JP', '100-0001', '100-0001'],
  ])('accepts and normalizes %s postal code %s', (country, postalCode, expected) => {
    expect(validateAddress({ ...base, country, postalCode }).postalCode).toBe(expected);
  });

  it.each([
    ['US', '1234'],
    ['US', '94103-12'],
    ['CA', '123 456'],
    ['GB', '12345'],
    ['DE', '1011'],
    ['FR', '7500A'],
    ['NL', '0123 AB'],
    ['JP', '!!'],
  ])('refuses %s postal code %s', (country, postalCode) => {
    expect(fieldsOf({ ...base, country, postalCode })).toEqual(['postalCode']);
  });

  it('refuses unknown countries, bad phones, blanks, control characters and over-long text', () => {
    expect(fieldsOf({ ...base, country: 'XX' })).toEqual(['country']);
    expect(fieldsOf({ ...base, country: 'USA' })).toEqual(['country']);
    expect(fieldsOf({ ...base, phone: '415 555 0123' })).toEqual(['phone']);
    expect(fieldsOf({ ...base, phone: '+0123' })).toEqual(['phone']);
    expect(fieldsOf({ ...base, firstName: '   ', city: '' })).toEqual(['firstName', 'city']);
    expect(fieldsOf({ ...base, line1: '1 Main St\nDROP' })).toEqual(['line1']);
    expect(fieldsOf({ ...base, line2: 'x\u0000' })).toEqual(['line2']);
    expect(fieldsOf({ ...base, lastName: 'x'.repeat(101) })).toEqual(['lastName']);
  });

  it('refuses lone surrogates instead of storing U+FFFD (G8)', () => {
    for (const field of ['firstName', 'lastName', 'line1', 'line2', 'city', 'region', 'postalCode'] as const)
      expect(fieldsOf({ ...base, [field]: 'x\ud800y' })).toEqual([field]);
    expect(validateAddress({ ...base, city: 'Zürich 😀' }).city).toBe('Zürich 😀');
  });

  it('treats an empty phone as absent', () => {
    expect(validateAddress({ ...base, phone: ' ' }).phone).toBeNull();
  });
});
