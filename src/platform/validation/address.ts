import { type FieldError, validationFailed } from '../errors/app-error.js';
import { isCountryCode } from './countries.js';
import { isUnsafeText, UNSAFE_TEXT_MESSAGE } from './text.js';

/** A validated, normalized postal address (carts, orders, customer address books). */
export interface PostalAddress {
  firstName: string;
  lastName: string;
  line1: string;
  line2: string | null;
  city: string;
  region: string | null;
  postalCode: string;
  country: string;
  phone: string | null;
}

/** What carts and orders call it. */
export type ShippingAddress = PostalAddress;

export interface AddressInput {
  firstName: string;
  lastName: string;
  line1: string;
  line2?: string | null | undefined;
  city: string;
  region?: string | null | undefined;
  postalCode: string;
  country: string;
  phone?: string | null | undefined;
}

/** Length limits per field (characters after trimming). */
export const ADDRESS_LIMITS = {
  firstName: 100,
  lastName: 100,
  line1: 200,
  line2: 200,
  city: 100,
  region: 100,
  postalCode: 16,
} as const;

/** Postal code formats for the countries we check strictly (normalized: upper case, single spaces). */
const POSTAL_FORMATS: Record<string, { re: RegExp; example: string }> = {
  US: { re: /^\d{5}(-\d{4})?$/, example: '94103 or 94103-1234' },
  CA: { re: /^[ABCEGHJ-NPRSTVXY]\d[ABCEGHJ-NPRSTV-Z] \d[ABCEGHJ-NPRSTV-Z]\d$/, example: 'K1A 0B1' },
  GB: { re: /^[A-Z]{1,2}\d[A-Z\d]? \d[A-Z]{2}$/, example: 'SW1A 1AA' },
  DE: { re: /^\d{5}$/, example: '10115' },
  FR: { re: /^\d{5}$/, example: '75008' },
  NL: { re: /^[1-9]\d{3} [A-Z]{2}$/, example: '1012 AB' },
};
/** Elsewhere: letters, digits, spaces and hyphens only. */
const GENERIC_POSTAL = /^[A-Z0-9][A-Z0-9 -]{1,14}$/;
const E164 = /^\+[1-9]\d{1,14}$/;
export const isE164 = (phone: string): boolean => E164.test(phone);
// C0 and C1 control characters (including newlines and tabs) have no place in an address line.
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;
export const hasControlCharacters = (text: string): boolean => CONTROL.test(text);

/** Canonical spacing for formats with an inward code (CA, GB, NL): "SW1A1AA" → "SW1A 1AA". */
function normalizePostal(country: string, raw: string): string {
  const compact = raw.toUpperCase().replace(/\s+/g, ' ').trim();
  if (country === 'GB' || country === 'CA') {
    const bare = compact.replace(/ /g, '');
    return bare.length > 3 ? `${bare.slice(0, -3)} ${bare.slice(-3)}` : bare;
  }
  if (country === 'NL') {
    const bare = compact.replace(/ /g, '');
    return bare.length === 6 ? `${bare.slice(0, 4)} ${bare.slice(4)}` : compact;
  }
  return compact;
}

/**
 * Validates and normalizes an address (G8: nothing invalid is stored): every text trimmed and
 * NFC-normalized, length-limited, free of control characters; ISO 3166-1 alpha-2 country; postal
 * code format for US/CA/GB/DE/FR/NL (a plausible code elsewhere); phone in E.164 when given.
 * Field errors name paths relative to the input (`postalCode`).
 */
export function validateAddress(input: AddressInput): PostalAddress {
  const errors: FieldError[] = [];
  const text = (field: keyof typeof ADDRESS_LIMITS, value: string | null | undefined, required: boolean) => {
    const v = (value ?? '').normalize('NFC').trim();
    if (v.length === 0) {
      if (required) errors.push({ path: field, message: 'is required' });
      return null;
    }
    // A lone surrogate would be stored as U+FFFD: refused like at the HTTP edge.
    if (isUnsafeText(v)) errors.push({ path: field, message: UNSAFE_TEXT_MESSAGE });
    else if (CONTROL.test(v)) errors.push({ path: field, message: 'must not contain control characters' });
    else if (v.length > ADDRESS_LIMITS[field])
      errors.push({ path: field, message: `must be at most ${ADDRESS_LIMITS[field]} characters` });
    return v;
  };
  const firstName = text('firstName', input.firstName, true);
  const lastName = text('lastName', input.lastName, true);
  const line1 = text('line1', input.line1, true);
  const line2 = text('line2', input.line2, false);
  const city = text('city', input.city, true);
  const region = text('region', input.region, false);

  const country = (input.country ?? '').trim().toUpperCase();
  const countryOk = isCountryCode(country);
  if (!countryOk) errors.push({ path: 'country', message: 'must be an ISO 3166-1 alpha-2 code such as US' });

  let postalCode = text('postalCode', input.postalCode, true);
  if (postalCode !== null && countryOk && !CONTROL.test(postalCode) && !isUnsafeText(postalCode)) {
    postalCode = normalizePostal(country, postalCode);
    const format = POSTAL_FORMATS[country];
    if (format && !format.re.test(postalCode))
      errors.push({
        path: 'postalCode',
        message: `is not a valid ${country} postal code (e.g. ${format.example})`,
      });
    else if (!format && !GENERIC_POSTAL.test(postalCode))
      errors.push({ path: 'postalCode', message: 'may contain only letters, digits, spaces and hyphens' });
  }

  let phone: string | null = null;
  if (input.phone !== undefined && input.phone !== null && input.phone.trim() !== '') {
    phone = input.phone.trim();
    if (!E164.test(phone))
      errors.push({ path: 'phone', message: 'must be in E.164 format, e.g. +14155550123' });
  }

  if (errors.length > 0) throw validationFailed('The address is not valid; see errors.', errors);
  return {
    firstName: firstName!,
    lastName: lastName!,
    line1: line1!,
    line2,
    city: city!,
    region,
    postalCode: postalCode!,
    country,
    phone,
  };
}
