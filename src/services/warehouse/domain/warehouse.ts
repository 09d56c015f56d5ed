import { type FieldError, validationFailed } from '../../../platform/errors/app-error.js';
import type { LatLng } from './geo.js';

/** A warehouse's rules, for every caller (HTTP, demo seed, other services). */
export const WAREHOUSE_STATUSES = ['active', 'inactive'] as const;
export type WarehouseStatus = (typeof WAREHOUSE_STATUSES)[number];

export interface Address {
  line1: string;
  city: string;
  postalCode: string;
  country: string;
}

export interface NewWarehouse {
  code: string;
  name: string;
  capacityPerDay: number;
  address: Address;
  location: LatLng;
}

export interface WarehouseChanges {
  name?: string | undefined;
  capacityPerDay?: number | undefined;
  address?: Address | undefined;
  location?: LatLng | undefined;
  status?: WarehouseStatus | undefined;
}

export const CODE_RE = /^[A-Z0-9][A-Z0-9_-]{0,31}$/;
export const MAX_CAPACITY_PER_DAY = 10_000_000;
const COUNTRY_RE = /^[A-Z]{2}$/;

const text = (value: string | undefined, path: string, max: number, errors: FieldError[]): string => {
  const trimmed = (value ?? '').trim();
  if (trimmed.length < 1 || trimmed.length > max)
    errors.push({ path, message: `must be 1-${max} characters` });
  return trimmed;
};

function checkAddress(address: Address, errors: FieldError[]): Address {
  const country = (address.country ?? '').trim().toUpperCase();
  if (!COUNTRY_RE.test(country))
    errors.push({ path: 'address.country', message: 'must be an ISO 3166-1 alpha-2 code' });
  return {
    line1: text(address.line1, 'address.line1', 200, errors),
    city: text(address.city, 'address.city', 100, errors),
    postalCode: text(address.postalCode, 'address.postalCode', 20, errors),
    country,
  };
}

function checkLocation(location: LatLng, errors: FieldError[]): LatLng {
  if (!Number.isFinite(location.lat) || location.lat < -90 || location.lat > 90)
    errors.push({ path: 'location.lat', message: 'must be between -90 and 90' });
  if (!Number.isFinite(location.lng) || location.lng < -180 || location.lng > 180)
    errors.push({ path: 'location.lng', message: 'must be between -180 and 180' });
  return { lat: location.lat, lng: location.lng };
}

function checkCapacity(capacity: number, errors: FieldError[]): number {
  if (!Number.isInteger(capacity) || capacity < 1 || capacity > MAX_CAPACITY_PER_DAY)
    errors.push({ path: 'capacityPerDay', message: `must be an integer from 1 to ${MAX_CAPACITY_PER_DAY}` });
  return capacity;
}

const fail = (errors: FieldError[]): never => {
  throw validationFailed('The warehouse is not valid; see errors for each field.', errors);
};

export function validateNewWarehouse(input: NewWarehouse): NewWarehouse {
  const errors: FieldError[] = [];
  const code = (input.code ?? '').trim().toUpperCase();
  if (!CODE_RE.test(code))
    errors.push({
      path: 'code',
      message: "must be 1-32 letters, digits, '_' or '-', starting with a letter or digit",
    });
  const result: NewWarehouse = {
    code,
    name: text(input.name, 'name', 200, errors),
    capacityPerDay: checkCapacity(input.capacityPerDay, errors),
    address: checkAddress(input.address, errors),
    location: checkLocation(input.location, errors),
  };
  return errors.length > 0 ? fail(errors) : result;
}

export function validateWarehouseChanges(input: WarehouseChanges): WarehouseChanges {
  const errors: FieldError[] = [];
  const changes: WarehouseChanges = {};
  if (input.name !== undefined) changes.name = text(input.name, 'name', 200, errors);
  if (input.capacityPerDay !== undefined)
    changes.capacityPerDay = checkCapacity(input.capacityPerDay, errors);
  if (input.address !== undefined) changes.address = checkAddress(input.address, errors);
  if (input.location !== undefined) changes.location = checkLocation(input.location, errors);
  if (input.status !== undefined) changes.status = input.status;
  if (Object.keys(changes).length === 0 && errors.length === 0)
    errors.push({ path: '', message: 'name at least one field to change' });
  return errors.length > 0 ? fail(errors) : changes;
}
