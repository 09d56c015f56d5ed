import type { Insertable } from 'kysely';
import type { EventEnvelope } from '../../../contracts/index.js';
import type { EventsTable } from '../data/tables.js';
import type { PiiMasker } from '../domain/pii.js';

export type EventRow = Insertable<EventsTable>;

/** `00-<trace id>-<span id>-<flags>` → the trace id (SG-9, Fix 7). */
export const traceIdOf = (traceparent: string | undefined): string | null =>
  traceparent?.match(/^[0-9a-f]{2}-([0-9a-f]{32})-[0-9a-f]{16}-[0-9a-f]{2}$/)?.[1] ?? null;

const PERSON_KEYS = ['customerId', 'principalId', 'userId'];
// Identities move to the `customer_key` column (hashed); other person ids are hashed in place.
const CUSTOMER_ID_FIELDS = new Set(['customerId', 'principalId']);
const HASHED_ID_FIELDS = new Set(['userId', 'actorId', 'sessionId']);

/**
 * The payload as stored: customer ids removed (they are the hashed `customer_key`), other person
 * ids hashed, and any field that looks like PII masked the same way storefront fields are — a
 * defence in depth for contracts that may grow a field (G10, SG-2).
 */
export function maskPayload(data: unknown, pii: PiiMasker): unknown {
  if (Array.isArray(data)) return data.map((d) => maskPayload(d, pii));
  if (data === null || typeof data !== 'object') return data;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(data as Record<string, unknown>)) {
    if (CUSTOMER_ID_FIELDS.has(k)) continue;
    const key = k.toLowerCase();
    if (typeof v === 'string' && HASHED_ID_FIELDS.has(k)) out[k] = pii.customerKey(v);
    else if (typeof v === 'string' && key.includes('email')) out[k] = pii.email(v);
    else if (typeof v === 'string' && /(^|_)(ip|ipaddress)$|^ip[A-Z]/.test(k)) out[k] = pii.ip(v);
    else if (typeof v === 'string' && key.includes('useragent')) out[k] = pii.userAgent(v);
    else if (
      typeof v === 'string' &&
      /(first|last|full|customer)name$|^name$/.test(key) &&
      isPersonField(data)
    )
      out[k] = pii.name(v);
    else if (typeof v === 'string' && /(phone|line1|line2|street|address)/.test(key)) continue;
    else out[k] = maskPayload(v, pii);
  }
  return out;
}

/** `name` is a person's only on person-shaped objects (a product's `name` is not PII). */
const isPersonField = (obj: object): boolean =>
  Object.keys(obj).some((k) => /email|firstname|lastname|customer/i.test(k)) || 'firstName' in obj;

/** A bus event as a raw analytics row: the whole envelope kept, PII masked (SG-1, SG-8, Fix 3). */
export function rowFromEnvelope(event: EventEnvelope, pii: PiiMasker, receivedAt: Date): EventRow {
  const data = (event.data ?? {}) as Record<string, unknown>;
  const str = (v: unknown) => (typeof v === 'string' ? v : null);
  const isCustomerPrincipal = data.principalType === undefined || data.principalType === 'customer';
  const customerId = str(data.customerId) ?? (isCustomerPrincipal ? str(data.principalId) : null);
  return {
    id: event.id,
    topic: event.type,
    source: event.source,
    // A person-keyed topic (customer.*, auth.login, user.*) has the person's id as subject.
    subject: PERSON_KEYS.some((k) => data[k] === event.subject)
      ? pii.customerKey(event.subject)
      : event.subject,
    occurred_at: new Date(str(data.occurredAt) ?? event.time),
    received_at: receivedAt,
    trace_id: traceIdOf(event.traceparent),
    schema_version: event.schemaversion,
    session_id: null,
    customer_key: pii.customerKey(customerId),
    order_id: str(data.orderId),
    product_id: str(data.productId),
    ip_masked: null,
    user_agent_hash: null,
    data: JSON.stringify(maskPayload(data, pii)),
  };
}
