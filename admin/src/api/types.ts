import type { Money } from '../lib/format';

export interface Shipment {
  id: string;
  orderId: string;
  fulfillmentId: string | null;
  carrier: string;
  trackingNumber: string | null;
  status: string;
  updatedAt: string;
  events?: { status: string; note: string | null; source?: string; occurredAt: string }[];
}

export interface Order {
  id: string;
  status: string;
  paymentStatus: string;
  currency: string;
  customerId: string | null;
  items: { id: string; sku: string; name: string; quantity: number; unitPrice: Money; lineTotal: Money }[];
  totals: { subtotal: Money; discount: Money; shipping: Money; tax: Money; total: Money };
  shippingAddress: {
    firstName: string;
    lastName: string;
    line1: string;
    city: string;
    postalCode: string;
    country: string;
  };
  shipments: Shipment[];
  payments?: {
    id: string;
    provider: string;
    method: string;
    status: string;
    amount: Money;
    capturedAmount: Money;
    refundedAmount: Money;
  }[];
  tracking?: {
    id: string;
    carrier: string;
    trackingNumber: string | null;
    status: string;
    events: { status: string; note: string | null; occurredAt: string }[];
  }[];
  createdAt: string;
  confirmedAt: string | null;
  processingAt: string | null;
  shippedAt: string | null;
  deliveredAt: string | null;
  completedAt: string | null;
  cancellation: { at: string; by: string; reason: string | null } | null;
}

export interface Fulfillment {
  id: string;
  orderId: string;
  warehouseId: string;
  status: string;
  items: { sku: string; quantity: number }[];
  picklistId: string | null;
  packages: { id: string; status: string; weightGrams: number }[];
  slaDueAt: string;
}

export interface Warehouse {
  id: string;
  code: string;
  name: string;
}

export interface ReturnRequest {
  id: string;
  orderId: string;
  status: string;
  items: { orderItemId: string; sku: string; quantity: number }[];
  reason: string | null;
  refund: Money;
  requestedAt: string;
}
