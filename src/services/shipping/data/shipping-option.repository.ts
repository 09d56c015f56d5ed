import type { Kysely, Selectable, Transaction } from 'kysely';
import type { ShippingDB, ShippingOptionsTable } from './tables.js';

export type ShippingOptionRow = Selectable<ShippingOptionsTable>;

/** An option as an operator sets it (PUT /admin/shipping-options/{id}). */
export type ShippingOptionInput = Omit<ShippingOptionRow, 'created_at' | 'updated_at'>;

/** The offered options: a small configuration table, filtered by destination in SQL. */
export const shippingOptionRepository = {
  /** Active options shipping to `country` (or everywhere), cheapest configuration first; bounded. */
  forCountry: (db: Kysely<ShippingDB>, country: string) =>
    db
      .selectFrom('shipping_options')
      .selectAll()
      .where('active', '=', true)
      .where((eb) =>
        eb.or([
          eb(eb.val(country), '=', eb.fn.any('countries')),
          eb(eb.val('*'), '=', eb.fn.any('countries')),
        ]),
      )
      .orderBy('id')
      .limit(100)
      .execute(),

  findActive: (db: Kysely<ShippingDB>, id: string) =>
    db
      .selectFrom('shipping_options')
      .selectAll()
      .where('id', '=', id)
      .where('active', '=', true)
      .executeTakeFirst(),

  /** Creates the option or replaces every field of it (the constraints of 0001_init.sql check it). */
  upsert: (tx: Transaction<ShippingDB>, option: ShippingOptionInput, now: Date) => {
    const { id, ...fields } = option;
    return tx
      .insertInto('shipping_options')
      .values({ ...option, created_at: now, updated_at: now })
      .onConflict((oc) => oc.column('id').doUpdateSet({ ...fields, updated_at: now }))
      .returningAll()
      .executeTakeFirstOrThrow();
  },
};
