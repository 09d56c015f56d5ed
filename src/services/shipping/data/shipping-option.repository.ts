import type { Kysely, Selectable } from 'kysely';
import type { ShippingDB, ShippingOptionsTable } from './tables.js';

export type ShippingOptionRow = Selectable<ShippingOptionsTable>;

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
};
