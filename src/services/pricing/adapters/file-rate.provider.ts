import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { AppError } from '../../../platform/errors/app-error.js';
import type { ExchangeRateProvider, RateSnapshot } from '../domain/ports.js';

/**
 * Reads rates from a JSON file (PRICING_EXCHANGE_RATES_FILE) that something outside Orderline
 * keeps current: `{ "base": "USD", "rates": { "EUR": "0.92" }, "asOf": "2025-01-01T00:00:00Z" }`.
 * Rates are decimal strings so they stay exact; a file in any other shape fails the job run.
 */
const fileSchema = z.object({
  base: z.string(),
  rates: z.record(z.string(), z.string()),
  asOf: z.iso.datetime({ offset: true }),
});

export function fileRateProvider(path: string): ExchangeRateProvider {
  return {
    name: 'file',
    async fetch(signal): Promise<RateSnapshot> {
      const text = await readFile(path, { encoding: 'utf8', signal });
      let json: unknown;
      try {
        json = JSON.parse(text);
      } catch (err) {
        throw new AppError('unprocessable', 'exchange_rates_invalid', `${path} is not JSON`, { cause: err });
      }
      const parsed = fileSchema.safeParse(json);
      if (!parsed.success)
        throw new AppError(
          'unprocessable',
          'exchange_rates_invalid',
          `${path} is not a rates file: ${parsed.error.issues.map((i) => `${i.path.join('.')} ${i.message}`).join('; ')}`,
        );
      return { base: parsed.data.base, rates: parsed.data.rates, asOf: new Date(parsed.data.asOf) };
    },
  };
}
