-- Notifications for every moment of an order, operator messages, channels, consent and erasure
-- counts (issue 13, docs/notifications.md).

ALTER TABLE messages DROP CONSTRAINT messages_template_check;
ALTER TABLE messages ADD CONSTRAINT messages_template_check CHECK (template ~ '^[a-z][a-z_]{2,60}$');

-- One message per (source, recipient, template, channel): the channel joins the key.
ALTER TABLE messages ADD COLUMN channel text NOT NULL DEFAULT 'email' CHECK (channel IN ('email'));
ALTER TABLE messages DROP CONSTRAINT messages_source_key_recipient_key_template_key;
ALTER TABLE messages ADD CONSTRAINT messages_one_per_source UNIQUE (source_key, recipient_key, template, channel);

-- What the template needs from the event (ids, amounts, carriers: no PII, G10); the name and
-- address come from the customer service at delivery.
ALTER TABLE messages ADD COLUMN data jsonb;
ALTER TABLE messages ADD COLUMN locale text CHECK (locale ~ '^[a-z]{2}$');
ALTER TABLE messages ADD COLUMN category text NOT NULL DEFAULT 'account'
  CHECK (category IN ('account', 'order', 'marketing', 'operator'));

-- suppressed: a marketing message the recipient has not consented to (never sent).
ALTER TABLE messages DROP CONSTRAINT messages_status_check;
ALTER TABLE messages ADD CONSTRAINT messages_status_check
  CHECK (status IN ('pending', 'sent', 'failed', 'cancelled', 'suppressed'));

CREATE INDEX messages_status_idx ON messages (status, id);
CREATE INDEX messages_recipient_idx ON messages (recipient, id) WHERE recipient IS NOT NULL;

-- Erasure (customer.deleted) removes a customer's messages; what stays is how many there were,
-- per template, channel and status, so delivery statistics survive the erasure.
CREATE TABLE erased_message_counts (
  template text NOT NULL,
  channel text NOT NULL,
  status text NOT NULL,
  count bigint NOT NULL CHECK (count >= 0),
  PRIMARY KEY (template, channel, status)
);

-- What the operations watch last told operators per service (dead letters), so a stable count
-- is announced once and a new high again.
CREATE TABLE ops_watermarks (
  key text PRIMARY KEY CHECK (length(key) BETWEEN 1 AND 200),
  value bigint NOT NULL CHECK (value >= 0),
  updated_at timestamptz NOT NULL
);

-- Refund messages name an order, not a customer: its owner is looked up at delivery (through the
-- order service's client, outside any transaction) and written to customer_id then.
ALTER TABLE messages DROP CONSTRAINT messages_check;
ALTER TABLE messages ADD CONSTRAINT messages_has_recipient CHECK (
  recipient IS NOT NULL OR (principal_type IS NOT NULL AND principal_id IS NOT NULL)
  OR recipient_key LIKE 'order-owner:%');
