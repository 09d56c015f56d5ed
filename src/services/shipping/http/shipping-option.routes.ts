import type { Clock } from '../../../platform/clock.js';
import { requestCtx } from '../../../platform/context.js';
import type { HttpApp } from '../../../platform/http/types.js';
import { access } from '../../../platform/security/access.js';
import { putShippingOption } from '../app/shipping-options.js';
import type { RatesDeps } from '../app/shipping-rates.js';
import type { ShippingOptionRow } from '../data/shipping-option.repository.js';
import { shippingOptionBody, shippingOptionParams, shippingOptionSchema } from './shipping-option.schemas.js';

const view = (row: ShippingOptionRow) => ({
  id: row.id,
  name: row.name,
  carrier: row.carrier,
  kind: row.kind,
  baseAmount: row.base_amount.toString(),
  perKgAmount: row.per_kg_amount.toString(),
  currency: row.currency,
  freeOverAmount: row.free_over_amount === null ? null : row.free_over_amount.toString(),
  countries: row.countries,
  maxWeightGrams: row.max_weight_grams,
  minDays: row.min_days,
  maxDays: row.max_days,
  active: row.active,
  updatedAt: row.updated_at.toISOString(),
});

/** Shipping configuration for admins: the options carts are offered. */
export function registerShippingOptionRoutes(app: HttpApp, deps: RatesDeps & { clock: Clock }): void {
  app.put(
    '/admin/shipping-options/:id',
    {
      config: { access: access.admin('shipping:configure') },
      schema: {
        tags: ['shipping'],
        summary: 'Create or replace a shipping option',
        description: 'Carts see the change on their next read; checkout always reads the table itself.',
        security: [{ bearer: [] }],
        params: shippingOptionParams,
        body: shippingOptionBody,
        response: { 200: shippingOptionSchema },
      },
    },
    async (request) => {
      const b = request.body;
      const saved = await putShippingOption(requestCtx(request), deps, {
        id: request.params.id,
        name: b.name,
        carrier: b.carrier,
        kind: b.kind,
        base_amount: BigInt(b.baseAmount),
        per_kg_amount: BigInt(b.perKgAmount),
        currency: b.currency,
        free_over_amount: b.freeOverAmount === null ? null : BigInt(b.freeOverAmount),
        countries: b.countries,
        max_weight_grams: b.maxWeightGrams,
        min_days: b.minDays,
        max_days: b.maxDays,
        active: b.active,
      });
      return view(saved);
    },
  );
}
