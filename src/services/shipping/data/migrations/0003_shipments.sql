-- Shipments (04-services.md "shipping"): one per fulfillment package, booked with a carrier outside
-- any consumer transaction (SHIP-P0-01), tracked by signed webhooks and a polling job, guarded by
-- the transition table of domain/shipment-status.ts.
CREATE TABLE shipments (
  id uuid PRIMARY KEY,
  order_id uuid NOT NULL,
  fulfillment_id uuid,
  package_id uuid,
  warehouse_id uuid,
  carrier text NOT NULL,
  tracking_number text,
  label_url text,
  status text NOT NULL,
  -- Counts status changes; every status event carries it (G6 for consumers).
  version integer NOT NULL DEFAULT 1,
  weight_grams integer,
  -- Booking with the carrier: tries so far, when the next is due (null: nothing to book), last failure.
  attempts integer NOT NULL DEFAULT 0,
  next_attempt_at timestamptz,
  last_error text,
  -- Time of the newest carrier scan applied: older scans are ignored (G6).
  last_carrier_event_at timestamptz,
  -- A cancelled shipment whose label the carrier still holds: pending until the carrier voided it.
  cancel_state text,
  cancel_attempts integer NOT NULL DEFAULT 0,
  cancel_next_at timestamptz,
  cancel_last_error text,
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL,
  delivered_at timestamptz,
  CONSTRAINT shipments_status_check CHECK (status IN ('created', 'label_created', 'in_transit',
    'out_for_delivery', 'delivered', 'failed_delivery', 'returned_to_sender', 'cancelled',
    'carrier_pending', 'manual')),
  CONSTRAINT shipments_cancel_state_check CHECK (cancel_state IS NULL OR cancel_state IN ('pending', 'done', 'failed')),
  CONSTRAINT shipments_carrier_length CHECK (char_length(carrier) BETWEEN 1 AND 100),
  CONSTRAINT shipments_tracking_length CHECK (tracking_number IS NULL OR char_length(tracking_number) BETWEEN 1 AND 64),
  CONSTRAINT shipments_counters CHECK (version >= 1 AND attempts >= 0 AND cancel_attempts >= 0),
  CONSTRAINT shipments_weight_positive CHECK (weight_grams IS NULL OR weight_grams >= 0),
  -- A redelivered ready_to_ship can never create a second shipment (ON CONFLICT DO NOTHING).
  CONSTRAINT shipments_package_key UNIQUE (package_id),
  -- SHIP-P0-02: a tracking number belongs to one shipment per carrier.
  CONSTRAINT shipments_carrier_tracking_key UNIQUE (carrier, tracking_number)
);
CREATE INDEX shipments_order_idx ON shipments (order_id, id);
CREATE INDEX shipments_status_idx ON shipments (status, id);
-- shipment-booking: due bookings and due carrier cancellations.
CREATE INDEX shipments_booking_due_idx ON shipments (next_attempt_at, id)
  WHERE status IN ('created', 'carrier_pending');
CREATE INDEX shipments_cancel_due_idx ON shipments (cancel_next_at, id) WHERE cancel_state = 'pending';
-- tracking-poll: active shipments with a tracking number, paged by id.
CREATE INDEX shipments_tracked_idx ON shipments (id)
  WHERE status IN ('label_created', 'in_transit', 'out_for_delivery', 'failed_delivery')
    AND tracking_number IS NOT NULL;

-- Tracking history, oldest first per shipment.
CREATE TABLE shipment_events (
  id uuid PRIMARY KEY,
  shipment_id uuid NOT NULL REFERENCES shipments (id),
  status text NOT NULL,
  note text,
  source text NOT NULL,
  occurred_at timestamptz NOT NULL,
  recorded_at timestamptz NOT NULL,
  CONSTRAINT shipment_events_source_check CHECK (source IN ('carrier_webhook', 'carrier_poll', 'admin', 'system')),
  CONSTRAINT shipment_events_note_length CHECK (note IS NULL OR char_length(note) <= 500)
);
CREATE INDEX shipment_events_shipment_idx ON shipment_events (shipment_id, occurred_at, id);

-- One row per carrier event id (dedupe); the request hash tells a redelivery from a conflict.
CREATE TABLE carrier_webhook_events (
  id uuid PRIMARY KEY,
  carrier text NOT NULL,
  event_id text NOT NULL,
  request_hash text NOT NULL,
  shipment_id uuid NOT NULL,
  outcome text NOT NULL,
  received_at timestamptz NOT NULL,
  CONSTRAINT carrier_webhook_events_key UNIQUE (carrier, event_id),
  CONSTRAINT carrier_webhook_events_outcome_check CHECK (outcome IN ('applied', 'ignored_stale')),
  CONSTRAINT carrier_webhook_events_event_id_length CHECK (char_length(event_id) BETWEEN 1 AND 200)
);
CREATE INDEX carrier_webhook_events_received_idx ON carrier_webhook_events (received_at, id);

-- The newest orders.order.status_changed sequence applied per order (G6).
CREATE TABLE order_sequences (
  order_id uuid PRIMARY KEY,
  sequence integer NOT NULL,
  updated_at timestamptz NOT NULL,
  CONSTRAINT order_sequences_positive CHECK (sequence >= 1)
);

-- The simcarrier simulator's own books (it plays an outside carrier, so its state must be shared
-- by every replica and survive restarts, like a real carrier's). Only the simcarrier adapter and
-- its development routes touch these.
CREATE TABLE simcarrier_parcels (
  tracking_number text PRIMARY KEY,
  -- The booking's reference (our shipment id): a repeated booking gets the same parcel.
  reference text NOT NULL,
  order_id uuid NOT NULL,
  package_id uuid,
  weight_grams integer,
  -- Where it goes, as far as routing needs (the full address stays with the order: G10).
  destination_country text NOT NULL,
  destination_postal_code text NOT NULL,
  status text NOT NULL,
  -- [{status, at, note}], oldest first.
  timeline jsonb NOT NULL,
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL,
  CONSTRAINT simcarrier_parcels_reference_key UNIQUE (reference),
  CONSTRAINT simcarrier_parcels_status_check CHECK (status IN ('label_created', 'in_transit',
    'out_for_delivery', 'delivered', 'failed_delivery', 'returned_to_sender', 'cancelled')),
  CONSTRAINT simcarrier_parcels_timeline_array CHECK (jsonb_typeof(timeline) = 'array')
);

-- Outage switch of the simulator (development routes), one row so every replica sees it.
CREATE TABLE simcarrier_settings (
  id integer PRIMARY KEY,
  down boolean NOT NULL,
  -- The next N API calls fail, then it answers again.
  fail_next integer NOT NULL,
  updated_at timestamptz NOT NULL,
  CONSTRAINT simcarrier_settings_single_row CHECK (id = 1),
  CONSTRAINT simcarrier_settings_fail_next CHECK (fail_next >= 0)
);
INSERT INTO simcarrier_settings (id, down, fail_next, updated_at) VALUES (1, false, 0, now());
