-- Notification messages (issue 6). Runs with search_path set to the notification schema.

CREATE TABLE messages (
  id uuid PRIMARY KEY,
  -- What caused the message: an event id or a caller's idempotency key. One message per
  -- (source, recipient, template): a redelivered event or retried call never sends twice.
  source_key text NOT NULL CHECK (length(source_key) BETWEEN 1 AND 200),
  template text NOT NULL CHECK (template IN ('email_verification', 'password_reset', 'password_changed', 'welcome')),
  -- Who it is for: the email for direct sends, `<principal type>:<id>` for event-driven ones,
  -- whose address is looked up at delivery (events carry no PII, G10).
  recipient_key text NOT NULL CHECK (length(recipient_key) BETWEEN 3 AND 300),
  recipient text CHECK (recipient = lower(recipient) AND length(recipient) BETWEEN 3 AND 254),
  principal_type text CHECK (principal_type IN ('customer', 'admin', 'shipper')),
  principal_id uuid,
  -- Whose message it is, so customer.deleted can erase it (G10).
  customer_id uuid,
  subject text,
  -- Bodies can hold one-time links; they are dropped once the message is sent.
  text_body text,
  html_body text,
  -- cancelled: nobody to send to any more (the account was erased before delivery).
  status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sent', 'failed', 'cancelled')),
  attempts integer NOT NULL DEFAULT 0 CHECK (attempts >= 0),
  next_attempt_at timestamptz NOT NULL,
  last_error text,
  provider_message_id text,
  created_at timestamptz NOT NULL,
  sent_at timestamptz,
  UNIQUE (source_key, recipient_key, template),
  CHECK (recipient IS NOT NULL OR (principal_type IS NOT NULL AND principal_id IS NOT NULL)),
  CHECK (status <> 'sent' OR (recipient IS NOT NULL AND subject IS NOT NULL))
);
CREATE INDEX messages_due_idx ON messages (next_attempt_at, id) WHERE status = 'pending';
CREATE INDEX messages_customer_idx ON messages (customer_id) WHERE customer_id IS NOT NULL;
