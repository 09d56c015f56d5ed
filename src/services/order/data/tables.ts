import type { ColumnType, Generated } from 'kysely';
import type { IdempotencyTables } from '../../../platform/idempotency/idempotency.js';
import type { ShippingAddress } from '../../../platform/validation/address.js';
import type { CartStatus } from '../domain/cart-status.js';
import type { OrderPaymentStatus, OrderStatus } from '../domain/order-status.js';
import type { ReturnTables } from './return.tables.js';

/** Kysely types of the order schema (data/migrations). Column names as in SQL. */
export interface OrderDB extends IdempotencyTables, ReturnTables {
  carts: CartsTable;
  cart_items: CartItemsTable;
  checkouts: CheckoutsTable;
  orders: OrdersTable;
  order_items: OrderItemsTable;
  order_shipments: OrderShipmentsTable;
}

type Timestamp = ColumnType<Date, Date, Date>;
/** jsonb: read as a value, written as JSON text. */
type Json<T> = ColumnType<T, string, string>;

/** A code a cart merge dropped: the refusal reason, or `too_many_promotion_codes`. */
export interface DroppedPromotionCode {
  code: string;
  reason: string;
}

export interface CartsTable {
  id: string;
  token_hash: string | null;
  customer_id: string | null;
  currency: string;
  status: Generated<CartStatus>;
  version: Generated<number>;
  shipping_address: Json<ShippingAddress | null> | null;
  shipping_option_id: string | null;
  /** The cart a `merged` guest cart went into (NULL otherwise). */
  merged_into: Generated<string | null>;
  /** 0006_promotions: the codes entered, upper case, in entry order. */
  promotion_codes: Generated<string[]>;
  /** 0007: codes the guest → customer merge dropped, with the reason. */
  dropped_promotion_codes: ColumnType<DroppedPromotionCode[], string | undefined, string>;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface CartItemsTable {
  id: string;
  cart_id: string;
  sku: string;
  product_id: string;
  quantity: number;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export type CheckoutStatus = 'started' | 'reserved' | 'authorized' | 'completed' | 'compensating' | 'failed';

export interface CheckoutsTable {
  id: string;
  cart_id: string;
  idempotency_scope: string;
  idempotency_key: string;
  payment_method: 'card' | 'cod' | 'bank_transfer';
  status: CheckoutStatus;
  reservation_id: string | null;
  payment_id: string | null;
  error: string | null;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface OrdersTable {
  id: string;
  cart_id: string;
  customer_id: string | null;
  guest_token_hash: string | null;
  status: OrderStatus;
  payment_status: OrderPaymentStatus;
  payment_method: 'card' | 'cod' | 'bank_transfer';
  payment_id: string;
  reservation_id: string;
  currency: string;
  subtotal: bigint;
  discount: bigint;
  shipping: bigint;
  tax: bigint;
  total: bigint;
  shipping_address: Json<ShippingAddress>;
  shipping_option_id: string;
  shipping_option_name: string;
  shipping_carrier: string;
  payment_due_at: Timestamp;
  sequence: number;
  created_at: Timestamp;
  updated_at: Timestamp;
  // 0002_lifecycle: capture, confirmation and cancellation bookkeeping.
  capture_state: Generated<CaptureState | null>;
  capture_attempts: Generated<number>;
  capture_next_at: Generated<Date | null>;
  capture_last_error: Generated<string | null>;
  confirmed_at: Generated<Date | null>;
  cancelled_at: Generated<Date | null>;
  cancelled_by: Generated<CancelledBy | null>;
  cancel_reason: Generated<string | null>;
  reservation_released_at: Generated<Date | null>;
  // 0004_delivery: fulfillment, shipping and completion.
  processing_at: Generated<Date | null>;
  shipped_at: Generated<Date | null>;
  delivered_at: Generated<Date | null>;
  completed_at: Generated<Date | null>;
  all_fulfillments_shipped_at: Generated<Date | null>;
  all_shipments_delivered_at: Generated<Date | null>;
  // 0006_promotions: the promotions the order was placed with.
  promotions: ColumnType<OrderPromotion[], string | undefined, string>;
}

/** One promotion an order was placed with, as quoted at checkout (amounts: minor units). */
export interface OrderPromotion {
  promotionId: string;
  code: string | null;
  name: string;
  type: string;
  amount: string;
  shippingAmount: string;
}

export interface OrderShipmentsTable {
  id: string;
  order_id: string;
  fulfillment_id: string | null;
  carrier: string;
  tracking_number: string | null;
  status: string;
  version: number;
  updated_at: Date;
}

export type CaptureState = 'scheduled' | 'captured' | 'failed';
export type CancelledBy = 'customer' | 'admin' | 'system';

export interface OrderItemsTable {
  id: string;
  order_id: string;
  sku: string;
  product_id: string;
  name: string;
  quantity: number;
  unit_price: bigint;
  line_total: bigint;
  warehouse_id: string;
  /** 0006_promotions: this row's share of the line's discount (minor units). */
  discount: ColumnType<bigint, bigint | undefined, bigint>;
}
