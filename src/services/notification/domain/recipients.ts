import type { UnresolvedCompensation } from '../../../platform/eventing/operations-watch.js';
import type { MessagingChoices } from './message-types.js';

/** Who a message goes to, resolved from the directory that owns the principal. */
export interface Recipient {
  email: string;
  firstName: string;
  /** Set for customers, so erasure can find their messages. */
  customerId: string | null;
  /** The customer's language preference (templates fall back to English). */
  language: string | null;
  /** Consent and preferences; undefined for staff and operators (they get no marketing). */
  choices: MessagingChoices | undefined;
}

/** Looks up a principal's email: customers through the customer service, staff through user. */
export interface RecipientLookup {
  customer(id: string): Promise<Recipient | undefined>;
  staff(id: string): Promise<Recipient | undefined>;
}

/** Who owns the order (the order service's client): events about refunds and shipments carry no customer id. */
export interface OrderLookup {
  /** The order's customer id; null for a guest order; undefined when the order is unknown. */
  customerOf(orderId: string): Promise<string | null | undefined>;
}

/** A shipment as the shipped email shows it (the shipping service's client). */
export interface ShipmentInfo {
  carrier: string;
  trackingNumber: string | null;
}
export interface ShipmentLookup {
  forOrder(orderId: string): Promise<ShipmentInfo[]>;
}

/** Dead letters and failed compensations of the services in this process (platform tables). */
export interface OperationsWatch {
  openDeadLetters(): Promise<{ service: string; open: number }[]>;
  failedCompensations(limit: number): Promise<UnresolvedCompensation[]>;
}
