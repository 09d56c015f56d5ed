import { afterEach, describe, expect, it } from 'vitest';
import { AppError } from '../../../platform/errors/app-error.js';
import { testLogger } from '../../../platform/eventing/eventing.fixtures.js';
import type { Carrier } from '../domain/ports.js';
import { CarrierUnavailable, createResilientCarriers, type ResilientCarriers } from './resilient-carriers.js';

const carrier = { name: 'acme' } as Carrier;
const settings = { timeoutMs: 50, errorThresholdPercent: 50, volumeThreshold: 3, resetMs: 60_000 };

/** Timeouts and the breaker around carrier calls (SHIP-P0-01: a carrier failure never blocks). */
describe('resilient carriers', () => {
  let carriers: ResilientCarriers;
  afterEach(() => carriers?.shutdown());
  const start = () => {
    carriers = createResilientCarriers([carrier], settings, testLogger());
    return carriers;
  };

  it('passes answers through, turns silence into CarrierUnavailable', async () => {
    const c = start();
    expect(await c.call('acme', async () => 'ok')).toBe('ok');
    await expect(c.call('acme', () => new Promise(() => undefined))).rejects.toBeInstanceOf(
      CarrierUnavailable,
    );
    await expect(c.call('nobody', async () => 'ok')).rejects.toMatchObject({ code: 'unknown_carrier' });
  });

  it('opens after failures, so the next call fails fast without reaching the carrier', async () => {
    const c = start();
    for (let i = 0; i < 3; i++)
      await expect(
        c.call('acme', async () => {
          throw new Error('connection reset');
        }),
      ).rejects.toBeInstanceOf(CarrierUnavailable);
    let reached = false;
    const open = c.call('acme', async () => {
      reached = true;
      return 'ok';
    });
    await expect(open).rejects.toThrow(/circuit open/);
    expect(reached).toBe(false);
  });

  it("does not count a carrier's definite refusal as an outage", async () => {
    const c = start();
    const refusal = new AppError('unprocessable', 'parcel_not_found', 'no such parcel');
    for (let i = 0; i < 5; i++)
      await expect(
        c.call('acme', async () => {
          throw refusal;
        }),
      ).rejects.toBe(refusal);
    expect(await c.call('acme', async () => 'still closed')).toBe('still closed');
  });
});
