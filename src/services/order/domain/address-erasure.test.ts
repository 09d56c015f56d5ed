import { describe, expect, it } from 'vitest';
import { anonymizeAddress, postalPrefix } from './address-erasure.js';

const address = {
  firstName: 'ada',
  lastName: 'Lovelace',
  line1: '1 Main St',
  line2: 'Apt 4',
  city: 'San Francisco',
  region: 'CA',
  postalCode: '94103-1234',
  country: 'US',
  phone: '+14155550123',
};

describe('address erasure', () => {
  it('keeps initials, country and a postal prefix; removes lines, city, region and phone', () => {
    expect(anonymizeAddress(address)).toEqual({
      firstName: 'A.',
      lastName: 'L.',
      line1: '',
      line2: null,
      city: '',
      region: null,
      postalCode: '941',
      country: 'US',
      phone: null,
    });
  });

  it('is idempotent', () => {
    const once = anonymizeAddress(address);
    expect(anonymizeAddress(once)).toEqual(once);
    const gb = anonymizeAddress({ ...address, country: 'GB', postalCode: 'SW1A 1AA' });
    expect(anonymizeAddress(gb)).toEqual(gb);
  });

  it('cuts postal codes per country', () => {
    expect(postalPrefix('US', '94103')).toBe('941');
    expect(postalPrefix('CA', 'K1A 0B1')).toBe('K1A');
    expect(postalPrefix('GB', 'SW1A 1AA')).toBe('SW1A');
    expect(postalPrefix('DE', '10115')).toBe('10');
    expect(postalPrefix('FR', '75008')).toBe('75');
    expect(postalPrefix('NL', '1012 AB')).toBe('10');
  });
});
