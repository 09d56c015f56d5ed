import { randomInt } from 'node:crypto';
import { type Kysely, sql } from 'kysely';
import type { Clock } from '../../../platform/clock.js';
import { AppError, notFound } from '../../../platform/errors/app-error.js';
import { newId } from '../../../platform/ids.js';
import {
  SIGNATURE_HEADER,
  type SignedDelivery,
  signedDelivery,
  verifyWebhookSignature,
} from '../../../platform/security/webhook-signature.js';
import type { ShippingDB, SimcarrierScan } from '../data/tables.js';
import type { Carrier, CarrierTracking } from '../domain/ports.js';
import type { CarrierStatus, ShipmentStatus } from '../domain/shipment-status.js';
import { parseSimcarrierWebhook, type SimcarrierWebhookBody } from './simcarrier.webhook.js';
import { tableRateQuote } from './table-rate.js';

export interface SimcarrierOptions {
  db: Kysely<ShippingDB>;
  clock: Clock;
  /** SHIPPING_SIMCARRIER_WEBHOOK_SECRETS: the first signs, all verify. */
  webhookSecrets: readonly string[];
  webhookToleranceSeconds: number;
}

/** What the carrier's depot can scan a parcel as (a booking makes it `label_created`). */
export type ScanStatus = Exclude<CarrierStatus, 'label_created' | 'cancelled'>;
export const SCAN_STATUSES = [
  'in_transit',
  'out_for_delivery',
  'delivered',
  'failed_delivery',
  'returned_to_sender',
] as const satisfies readonly ScanStatus[];

export interface OutageState {
  down: boolean;
  failNext: number;
}

export type Simcarrier = Carrier & {
  /** Development control: take the carrier's API down, or fail its next N calls. */
  setOutage(state: OutageState): Promise<OutageState>;
  /** The depot scans a parcel: its books move, and the signed webhook it sends is returned. */
  scan(trackingNumber: string, status: ScanStatus, note: string | null): Promise<SignedDelivery>;
  signedWebhook(body: string, at?: Date): SignedDelivery;
};

/** Crockford base32: no I, L, O, U, so a tracking number read aloud or typed is unambiguous. */
const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
const newTrackingNumber = (): string =>
  `SIM${Array.from({ length: 12 }, () => ALPHABET[randomInt(ALPHABET.length)]).join('')}`;

/** A parcel delivered, returned or cancelled takes no more scans. */
const CLOSED: readonly ShipmentStatus[] = ['delivered', 'returned_to_sender', 'cancelled'];

/**
 * simcarrier: the built-in simulated carrier, a real adapter behind the carrier port. It keeps its
 * own books in the shipping schema (simcarrier_parcels, simcarrier_settings) like an outside
 * carrier keeps its systems: a repeated booking reference gets the same parcel, tracking reads the
 * books, parcels move only when "scanned" (development route), and it can be told to fail (an
 * outage switch every replica sees). Its rates come from its rate tables.
 */
export function createSimcarrier(options: SimcarrierOptions): Simcarrier {
  const { db, clock } = options;

  /** Every API call first asks the outage switch: down, or one of the next N calls to fail. */
  async function failIfDown(operation: string): Promise<void> {
    const settings = await db
      .selectFrom('simcarrier_settings')
      .select('down')
      .where('id', '=', 1)
      .executeTakeFirst();
    if (settings?.down)
      throw new AppError('unavailable', 'carrier_unavailable', `simcarrier is down (${operation})`);
    const consumed = await db
      .updateTable('simcarrier_settings')
      .set((eb) => ({ fail_next: eb('fail_next', '-', 1) }))
      .where('id', '=', 1)
      .where('fail_next', '>', 0)
      .returning('fail_next')
      .executeTakeFirst();
    if (consumed)
      throw new AppError('unavailable', 'carrier_unavailable', `simcarrier failed the call (${operation})`);
  }

  const byReference = (reference: string) =>
    db
      .selectFrom('simcarrier_parcels')
      .select('tracking_number')
      .where('reference', '=', reference)
      .executeTakeFirst();
  const parcel = (trackingNumber: string) =>
    db
      .selectFrom('simcarrier_parcels')
      .selectAll()
      .where('tracking_number', '=', trackingNumber)
      .executeTakeFirst();

  /** Moves the parcel and appends the scan in one statement, unless it is closed. */
  async function move(trackingNumber: string, scan: SimcarrierScan, from?: ShipmentStatus) {
    let q = db
      .updateTable('simcarrier_parcels')
      .set({
        status: scan.status,
        timeline: sql<string>`timeline || ${JSON.stringify([scan])}::jsonb`,
        updated_at: clock.now(),
      })
      .where('tracking_number', '=', trackingNumber)
      .where('status', 'not in', CLOSED);
    if (from) q = q.where('status', '=', from);
    return (await q.executeTakeFirst()).numUpdatedRows > 0n;
  }

  function signedWebhook(body: string, at: Date = clock.now()): SignedDelivery {
    return signedDelivery('simcarrier', options.webhookSecrets, body, at);
  }

  return {
    name: 'simcarrier',
    tracks: true,
    rate: tableRateQuote,

    async createShipment(request) {
      await failIfDown('createShipment');
      const now = clock.now();
      // Tracking numbers are random: on the (rare) clash with another parcel, draw again.
      for (let draw = 0; draw < 5; draw++) {
        const existing = await byReference(request.reference);
        if (existing) return { trackingNumber: existing.tracking_number, labelUrl: null };
        const trackingNumber = newTrackingNumber();
        const inserted = await db
          .insertInto('simcarrier_parcels')
          .values({
            tracking_number: trackingNumber,
            reference: request.reference,
            order_id: request.orderId,
            package_id: request.packageId,
            weight_grams: request.weightGrams,
            destination_country: request.shipTo.country,
            destination_postal_code: request.shipTo.postalCode,
            status: 'label_created',
            timeline: JSON.stringify([
              { status: 'label_created', at: now.toISOString(), note: 'Label created' },
            ]),
            created_at: now,
            updated_at: now,
          })
          .onConflict((oc) => oc.doNothing())
          .returning('tracking_number')
          .executeTakeFirst();
        // The simulator prints no labels: labelUrl stays null.
        if (inserted) return { trackingNumber: inserted.tracking_number, labelUrl: null };
      }
      throw new AppError(
        'internal',
        'tracking_number_exhausted',
        'simcarrier could not draw a free tracking number',
      );
    },

    async track(trackingNumber): Promise<CarrierTracking> {
      await failIfDown('track');
      const p = await parcel(trackingNumber);
      if (!p) throw notFound('simcarrier parcel', trackingNumber);
      return {
        status: p.status,
        events: p.timeline.map((e) => ({ status: e.status, at: new Date(e.at), note: e.note })),
      };
    },

    async cancel(trackingNumber) {
      await failIfDown('cancel');
      const p = await parcel(trackingNumber);
      if (!p) throw notFound('simcarrier parcel', trackingNumber);
      if (p.status === 'cancelled') return;
      const scan = { status: 'cancelled' as const, at: clock.now().toISOString(), note: 'Label voided' };
      if (!(await move(trackingNumber, scan, 'label_created')))
        throw new AppError(
          'conflict',
          'parcel_already_moving',
          `Parcel ${trackingNumber} is already ${p.status}`,
        );
    },

    verifyWebhook(rawBody, headers) {
      verifyWebhookSignature({
        rawBody,
        header: headers[SIGNATURE_HEADER],
        secrets: options.webhookSecrets,
        toleranceSeconds: options.webhookToleranceSeconds,
        now: clock.now(),
      });
      return parseSimcarrierWebhook(rawBody);
    },

    async setOutage(state) {
      const row = await db
        .updateTable('simcarrier_settings')
        .set({ down: state.down, fail_next: state.failNext, updated_at: clock.now() })
        .where('id', '=', 1)
        .returning(['down', 'fail_next'])
        .executeTakeFirstOrThrow();
      return { down: row.down, failNext: row.fail_next };
    },

    async scan(trackingNumber, status, note) {
      const at = clock.now();
      if (!(await move(trackingNumber, { status, at: at.toISOString(), note })))
        throw (await parcel(trackingNumber))
          ? new AppError('conflict', 'parcel_closed', `Parcel ${trackingNumber} takes no more scans`)
          : notFound('simcarrier parcel', trackingNumber);
      const body: SimcarrierWebhookBody = {
        eventId: `simevt_${newId()}`,
        trackingNumber,
        status,
        occurredAt: at.toISOString(),
        ...(note ? { note } : {}),
      };
      return signedWebhook(JSON.stringify(body), at);
    },

    signedWebhook,
  };
}
