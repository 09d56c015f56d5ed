import type { ColumnType } from 'kysely';
import type { OrderSequencesTable } from '../../../platform/inbox/sequence-guard.js';
import type { ShipmentStatus } from '../domain/shipment-status.js';

/** Kysely types of the shipping schema (data/migrations). Column names as in SQL. */
export interface ShippingDB {
  shipping_options: ShippingOptionsTable;
  shipments: ShipmentsTable;
  shipment_events: ShipmentEventsTable;
  carrier_webhook_events: CarrierWebhookEventsTable;
  order_sequences: OrderSequencesTable['order_sequences'];
  simcarrier_parcels: SimcarrierParcelsTable;
  simcarrier_settings: SimcarrierSettingsTable;
}

type Timestamp = ColumnType<Date, Date | undefined, Date>;

export interface ShippingOptionsTable {
  id: string;
  name: string;
  carrier: 'simcarrier' | 'manual';
  kind: 'flat' | 'weight';
  base_amount: bigint;
  per_kg_amount: bigint;
  currency: string;
  free_over_amount: bigint | null;
  countries: string[];
  max_weight_grams: number | null;
  min_days: number;
  max_days: number;
  active: boolean;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export type CancelState = 'pending' | 'done' | 'failed';

export interface ShipmentsTable {
  id: string;
  order_id: string;
  fulfillment_id: string | null;
  package_id: string | null;
  warehouse_id: string | null;
  carrier: string;
  tracking_number: string | null;
  label_url: string | null;
  status: ShipmentStatus;
  version: ColumnType<number, number | undefined, number>;
  weight_grams: number | null;
  attempts: ColumnType<number, number | undefined, number>;
  next_attempt_at: Date | null;
  last_error: string | null;
  last_carrier_event_at: Date | null;
  cancel_state: CancelState | null;
  cancel_attempts: ColumnType<number, number | undefined, number>;
  cancel_next_at: Date | null;
  cancel_last_error: string | null;
  created_at: Timestamp;
  updated_at: Timestamp;
  delivered_at: Date | null;
}

export type ShipmentEventSource = 'carrier_webhook' | 'carrier_poll' | 'admin' | 'system';

export interface ShipmentEventsTable {
  id: string;
  shipment_id: string;
  status: ShipmentStatus;
  note: string | null;
  source: ShipmentEventSource;
  occurred_at: Timestamp;
  recorded_at: Timestamp;
}

export interface CarrierWebhookEventsTable {
  id: string;
  carrier: string;
  event_id: string;
  request_hash: string;
  shipment_id: string;
  outcome: 'applied' | 'ignored_stale';
  received_at: Timestamp;
}

export interface SimcarrierScan {
  status: ShipmentStatus;
  at: string;
  note: string | null;
}

export interface SimcarrierParcelsTable {
  tracking_number: string;
  reference: string;
  order_id: string;
  package_id: string | null;
  weight_grams: number | null;
  destination_country: string;
  destination_postal_code: string;
  status: ShipmentStatus;
  /** jsonb: read as an array, written as JSON text. */
  timeline: ColumnType<SimcarrierScan[], string, string>;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface SimcarrierSettingsTable {
  id: number;
  down: boolean;
  fail_next: number;
  updated_at: Timestamp;
}
