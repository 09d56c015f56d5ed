import type { Ctx } from '../../../platform/context.js';
import { conflict, type FieldError, notFound, validationFailed } from '../../../platform/errors/app-error.js';
import { isUuid, newId } from '../../../platform/ids.js';
import {
  type AddressInput,
  hasControlCharacters,
  type PostalAddress,
  validateAddress,
} from '../../../platform/validation/address.js';
import type { AddressRow } from '../data/tables.js';
import type { CustomerDeps } from './deps.js';
import { ownRow } from './profile.js';

/** An address book is small: more than this is refused (a bound on every list, no pagination needed). */
export const MAX_ADDRESSES = 20;
const LABEL_MAX = 50;

export interface Address {
  id: string;
  label: string | null;
  firstName: string;
  lastName: string;
  line1: string;
  line2: string | null;
  city: string;
  region: string | null;
  postalCode: string;
  country: string;
  phone: string | null;
  isDefault: boolean;
  version: number;
  createdAt: string;
  updatedAt: string;
}

export type AddressBody = Partial<AddressInput> & {
  label?: string | null | undefined;
  isDefault?: boolean | undefined;
};

const toAddress = (r: AddressRow): Address => ({
  id: r.id,
  label: r.label,
  firstName: r.first_name,
  lastName: r.last_name,
  line1: r.line1,
  line2: r.line2,
  city: r.city,
  region: r.region,
  postalCode: r.postal_code,
  country: r.country,
  phone: r.phone,
  isDefault: r.is_default,
  version: r.version,
  createdAt: r.created_at.toISOString(),
  updatedAt: r.updated_at.toISOString(),
});

/** Validates the whole address (CS-P1-02) plus its label; field paths are body-relative. */
function validate(body: AddressBody) {
  const errors: FieldError[] = [];
  let label: string | null = null;
  if (body.label !== undefined && body.label !== null) {
    label = body.label.normalize('NFC').trim() || null;
    if (label && (hasControlCharacters(label) || [...label].length > LABEL_MAX))
      errors.push({
        path: 'body.label',
        message: `must be 1-${LABEL_MAX} characters without control characters`,
      });
  }
  let address: PostalAddress | undefined;
  try {
    address = validateAddress(body as AddressInput);
  } catch (err) {
    const fields = (err as { fields?: FieldError[] }).fields;
    if (!fields) throw err;
    errors.unshift(...fields.map((f) => ({ path: `body.${f.path}`, message: f.message })));
  }
  if (!address || errors.length > 0) throw validationFailed('The address is not valid; see errors.', errors);
  return { ...address, label };
}

const columns = (a: ReturnType<typeof validate>) => ({
  label: a.label,
  first_name: a.firstName,
  last_name: a.lastName,
  line1: a.line1,
  line2: a.line2,
  city: a.city,
  region: a.region,
  postal_code: a.postalCode,
  country: a.country,
  phone: a.phone,
});

export async function listAddresses(deps: CustomerDeps, customerId: string): Promise<Address[]> {
  await ownRow(deps, customerId);
  const rows = await deps.db
    .selectFrom('addresses')
    .selectAll()
    .where('customer_id', '=', customerId)
    .orderBy('id')
    .limit(MAX_ADDRESSES)
    .execute();
  return rows.map(toAddress);
}

/** Scoped by owner: another customer's address is 404, as if it did not exist (G9). */
async function ownAddress(deps: CustomerDeps, customerId: string, id: string): Promise<AddressRow> {
  const row = isUuid(id)
    ? await deps.db
        .selectFrom('addresses')
        .selectAll()
        .where('id', '=', id)
        .where('customer_id', '=', customerId)
        .executeTakeFirst()
    : undefined;
  if (!row) throw notFound('Address', id.slice(0, 64));
  return row;
}

export async function addAddress(
  ctx: Ctx,
  deps: CustomerDeps,
  customerId: string,
  body: AddressBody,
): Promise<Address> {
  const address = validate(body);
  await ownRow(deps, customerId);
  const now = deps.clock.now();
  const row = await deps.db.transaction().execute(async (tx) => {
    // Serializes additions per customer, so the bound holds under concurrent requests.
    await tx.selectFrom('customers').select('id').where('id', '=', customerId).forUpdate().execute();
    const existing = await tx
      .selectFrom('addresses')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .where('customer_id', '=', customerId)
      .executeTakeFirstOrThrow();
    const count = Number(existing.n);
    if (count >= MAX_ADDRESSES)
      throw conflict(`An address book holds at most ${MAX_ADDRESSES} addresses`, 'address_limit');
    const isDefault = body.isDefault === true || count === 0;
    if (isDefault) await clearDefault(tx, customerId);
    return tx
      .insertInto('addresses')
      .values({
        id: newId(),
        customer_id: customerId,
        ...columns(address),
        is_default: isDefault,
        created_at: now,
        updated_at: now,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
  });
  ctx.logger.info({ customerId, addressId: row.id }, 'address added');
  return toAddress(row);
}

const clearDefault = (tx: CustomerDeps['db'], customerId: string) =>
  tx
    .updateTable('addresses')
    .set({ is_default: false })
    .where('customer_id', '=', customerId)
    .where('is_default', '=', true)
    .execute();

/** Partial change merged over the stored address and validated whole; optional optimistic lock. */
export async function updateAddress(
  ctx: Ctx,
  deps: CustomerDeps,
  customerId: string,
  id: string,
  body: AddressBody,
  expectedVersion: number | undefined,
): Promise<Address> {
  const current = await ownAddress(deps, customerId, id);
  const merged: AddressBody = { ...toAddress(current), ...stripUndefined(body) };
  const address = validate(merged);
  const now = deps.clock.now();
  const row = await deps.db.transaction().execute(async (tx) => {
    if (body.isDefault === true) await clearDefault(tx, customerId);
    const updated = await tx
      .updateTable('addresses')
      .set({
        ...columns(address),
        ...(body.isDefault !== undefined ? { is_default: body.isDefault } : {}),
        version: current.version + 1,
        updated_at: now,
      })
      .where('id', '=', current.id)
      .where('customer_id', '=', customerId)
      .where('version', '=', expectedVersion ?? current.version)
      .returningAll()
      .executeTakeFirst();
    if (!updated) throw conflict('The address was changed meanwhile; reload and retry');
    return updated;
  });
  ctx.logger.info({ customerId, addressId: id }, 'address updated');
  return toAddress(row);
}

export async function deleteAddress(
  ctx: Ctx,
  deps: CustomerDeps,
  customerId: string,
  id: string,
): Promise<void> {
  const current = await ownAddress(deps, customerId, id);
  await deps.db
    .deleteFrom('addresses')
    .where('id', '=', current.id)
    .where('customer_id', '=', customerId)
    .execute();
  ctx.logger.info({ customerId, addressId: id }, 'address deleted');
}

const stripUndefined = (body: AddressBody): AddressBody =>
  Object.fromEntries(Object.entries(body).filter(([, v]) => v !== undefined)) as AddressBody;
