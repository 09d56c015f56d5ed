-- Account emails (verification, password reset) waiting for their hand-off to the notification
-- service (issue 19): written in the transaction of the change that needs them, together with the
-- outbox event `customer.account_mail_requested` that drives the retries, and removed once
-- notification has accepted the message, so the one-time token rests here only until then.
CREATE TABLE account_mails (
  id uuid PRIMARY KEY,
  customer_id uuid NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
  request jsonb NOT NULL,
  attempts integer NOT NULL DEFAULT 0 CHECK (attempts >= 0),
  last_error text,
  created_at timestamptz NOT NULL
);
CREATE INDEX account_mails_customer_idx ON account_mails (customer_id);
