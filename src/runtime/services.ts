import type { PlatformDeps, ServiceModule } from '../platform/module.js';
import type { AnalyticsClient } from '../services/analytics/contract/client.js';
import { createAnalyticsModule } from '../services/analytics/module.js';
import type { AuthClient } from '../services/auth/contract/client.js';
import { createAuthModule } from '../services/auth/module.js';
import type { CatalogClient } from '../services/catalog/contract/client.js';
import { createCatalogModule } from '../services/catalog/module.js';
import type { CustomerClient } from '../services/customer/contract/client.js';
import { createCustomerModule } from '../services/customer/module.js';
import type { FulfillmentClient } from '../services/fulfillment/contract/client.js';
import { createFulfillmentModule } from '../services/fulfillment/module.js';
import type { LoyaltyClient } from '../services/loyalty/contract/client.js';
import { createLoyaltyModule } from '../services/loyalty/module.js';
import type { NotificationClient } from '../services/notification/contract/client.js';
import { createNotificationModule } from '../services/notification/module.js';
import type { OrderClient } from '../services/order/contract/client.js';
import { createOrderModule } from '../services/order/module.js';
import type { PaymentClient } from '../services/payment/contract/client.js';
import { createPaymentModule } from '../services/payment/module.js';
import type { PricingClient } from '../services/pricing/contract/client.js';
import { createPricingModule } from '../services/pricing/module.js';
import type { PromotionClient } from '../services/promotion/contract/client.js';
import { createPromotionModule } from '../services/promotion/module.js';
import type { ReviewClient } from '../services/review/contract/client.js';
import { createReviewModule } from '../services/review/module.js';
import type { ShippingClient } from '../services/shipping/contract/client.js';
import { createShippingModule } from '../services/shipping/module.js';
import type { UserClient } from '../services/user/contract/client.js';
import { createUserModule } from '../services/user/module.js';
import type { WarehouseClient } from '../services/warehouse/contract/client.js';
import { createWarehouseModule } from '../services/warehouse/module.js';

/** Every service's client interface, by service name. */
export interface Clients {
  user: UserClient;
  customer: CustomerClient;
  notification: NotificationClient;
  auth: AuthClient;
  catalog: CatalogClient;
  pricing: PricingClient;
  warehouse: WarehouseClient;
  shipping: ShippingClient;
  payment: PaymentClient;
  promotion: PromotionClient;
  order: OrderClient;
  fulfillment: FulfillmentClient;
  analytics: AnalyticsClient;
  loyalty: LoyaltyClient;
  review: ReviewClient;
}

export type ServiceName = keyof Clients;

/** The services whose client offers their event history (contract `EventHistory`). */
const EVENT_SOURCES = [
  'user',
  'customer',
  'auth',
  'catalog',
  'pricing',
  'warehouse',
  'shipping',
  'payment',
  'loyalty',
  'promotion',
  'order',
  'fulfillment',
] as const satisfies readonly ServiceName[];

interface ServiceDefinition<N extends ServiceName> {
  /** Services whose clients this one needs; in one process they must be enabled too. */
  needs: readonly ServiceName[];
  /**
   * `clients` fills up as services are built (HTTP clients of remote services are there from the
   * start); `enabled` is every service this process can reach: its own and, in distributed mode,
   * the remote ones; `local` only its own.
   */
  create(
    // biome-ignore lint/suspicious/noExplicitAny: each service narrows deps.db to its own schema type
    deps: PlatformDeps<any>,
    clients: Partial<Clients>,
    enabled: ReadonlySet<ServiceName>,
    local: ReadonlySet<ServiceName>,
  ): ServiceModule<Clients[N]>;
}

/** The registry, in dependency order: a service appears after everything it needs. */
export const SERVICES: { [N in ServiceName]: ServiceDefinition<N> } = {
  user: {
    needs: [],
    // Auth is built after the staff directory it needs: the admin password reset resolves it per call.
    create: (deps, clients, enabled) =>
      createUserModule({ ...deps, ...(enabled.has('auth') ? { auth: () => clients.auth } : {}) }),
  },
  // Built before auth, which needs its directory: auth and notification are resolved per call.
  customer: {
    needs: [],
    create: (deps, clients, enabled) =>
      createCustomerModule({
        ...deps,
        ...(enabled.has('auth')
          ? {
              sessions: {
                revokeAll: (id, reason) => clients.auth!.revokeAllSessions('customer', id, reason),
                passwordReset: (ctx, id) => clients.auth!.passwordChanged(ctx, 'customer', id, 'reset'),
              },
            }
          : {}),
        ...(enabled.has('notification')
          ? { mail: { send: async (ctx, request) => void (await clients.notification!.send(ctx, request)) } }
          : {}),
        // Order is built after customer: its aggregates are resolved per call (reconciliation).
        ...(enabled.has('order')
          ? { orders: { customerAggregates: (ids) => clients.order!.customerAggregates(ids) } }
          : {}),
      }),
  },
  auth: {
    needs: ['user'],
    // Customers log in when the customer service runs in this process (staff-only processes and
    // tests leave it out; a customer login there is 401 like any unknown account).
    create: (deps, clients, enabled) =>
      createAuthModule({
        ...deps,
        directories: [
          clients.user!.directory,
          ...(enabled.has('customer') ? [clients.customer!.directory] : []),
        ],
      }),
  },
  catalog: {
    needs: [],
    // Pricing and warehouse need the catalog, so they are built after it: the catalog's ports
    // resolve their clients per call. Without them in this process, prices and stock are null.
    create: (deps, clients, enabled) =>
      createCatalogModule({
        ...deps,
        ...(enabled.has('pricing')
          ? {
              // The storefront shows cached prices; checkout re-decides them on the database.
              prices: {
                quote: (skus, currency) => clients.pricing!.unitPrices(skus, currency, { cached: true }),
              },
            }
          : {}),
        ...(enabled.has('warehouse')
          ? { availability: { available: (skus) => clients.warehouse!.availability(skus) } }
          : {}),
      }),
  },
  pricing: {
    needs: ['catalog'],
    create: (deps, clients) => createPricingModule({ ...deps, catalog: clients.catalog! }),
  },
  warehouse: {
    needs: ['catalog'],
    create: (deps, clients) => createWarehouseModule({ ...deps, catalog: clients.catalog! }),
  },
  shipping: {
    needs: ['pricing'],
    // Order is built after shipping (it needs shipping's rates): booking a parcel resolves the
    // order (address, carrier) per call. Without order in this process booking fails and is retried,
    // then falls back to manual handling like any carrier failure.
    create: (deps, clients, enabled) =>
      createShippingModule({
        ...deps,
        pricing: clients.pricing!,
        orders: {
          getOrder: async (orderId) => {
            if (!enabled.has('order')) throw new Error('the order service is not part of this process');
            return clients.order!.getOrder(orderId);
          },
        },
      }),
  },
  payment: { needs: [], create: (deps) => createPaymentModule(deps) },
  // Reacts to customer and order events and calls no other service; built before order, whose
  // checkout redeems points through it when it runs in the same process.
  loyalty: { needs: [], create: (deps) => createLoyaltyModule(deps) },
  // Segment conditions use the customer service's segments when it runs in this process (else a
  // segment-bound promotion is refused with 400 segments_unavailable, never evaluated blindly).
  promotion: {
    needs: [],
    create: (deps, clients, enabled) =>
      createPromotionModule({
        ...deps,
        ...(enabled.has('customer')
          ? { segments: { segmentIdsOf: (ctx, id) => clients.customer!.segmentIdsOf(ctx, id) } }
          : {}),
      }),
  },
  order: {
    needs: ['catalog', 'pricing', 'warehouse', 'shipping', 'payment'],
    create: (deps, clients, enabled) =>
      createOrderModule({
        ...deps,
        catalog: clients.catalog!,
        pricing: clients.pricing!,
        warehouse: clients.warehouse!,
        shipping: clients.shipping!,
        payment: clients.payment!,
        // Without the promotion service in this process carts carry no discounts and a code is 422
        // promotions_unavailable.
        ...(enabled.has('promotion') ? { promotions: clients.promotion! } : {}),
        // Without fulfillment in this process nothing can have shipped: no fulfillments.
        fulfillments: {
          forOrder: async (orderId) =>
            enabled.has('fulfillment') ? clients.fulfillment!.forOrder(orderId) : [],
        },
        ...(enabled.has('loyalty') ? { loyalty: clients.loyalty! } : {}),
      }),
  },
  // Reacts to the order's status events; calls no other service.
  fulfillment: { needs: [], create: (deps) => createFulfillmentModule(deps) },
  // Reads every lifecycle topic; reconciles its money figures with payment's when payment runs here,
  // and backfills from the event history of every publishing service of this process (all of them
  // are built before it).
  analytics: {
    needs: [],
    create: (deps, clients, enabled) =>
      createAnalyticsModule({
        ...deps,
        sources: Object.fromEntries(
          EVENT_SOURCES.filter((name) => enabled.has(name) && clients[name]).map((name) => [
            name,
            clients[name]!,
          ]),
        ),
        ...(enabled.has('payment')
          ? { payments: { paymentsForOrder: (orderId) => clients.payment!.paymentsForOrder(orderId) } }
          : {}),
      }),
  },
  // Learns purchases from the order events; shows authors by first name when customer runs here.
  review: {
    needs: [],
    create: (deps, clients, enabled) =>
      createReviewModule({ ...deps, customers: enabled.has('customer') ? clients.customer : undefined }),
  },
  // Built last: it reads customers, staff, orders and shipments through their clients when those
  // run in this process, and watches every enabled service's dead letters and compensations. The
  // customer service reaches it per call (account email).
  notification: {
    needs: ['customer'],
    create: (deps, clients, enabled, local) =>
      createNotificationModule({
        ...deps,
        customers: clients.customer,
        users: clients.user,
        orders: enabled.has('order') ? clients.order : undefined,
        shipping: enabled.has('shipping') ? clients.shipping : undefined,
        // Dead letters and compensations live in each service's own schema: only local ones are watched.
        watchedServices: [...local],
      }),
  },
};

export const SERVICE_NAMES = Object.keys(SERVICES) as ServiceName[];

/**
 * Validates a `--services` selection and returns it in dependency order. A service's needs must be
 * in the same process unless `remote` says another process serves them (distributed mode).
 */
export function resolveServices(
  requested: readonly string[] | undefined,
  remote: (name: ServiceName) => boolean = () => false,
): ServiceName[] {
  if (!requested || requested.length === 0) return [...SERVICE_NAMES];
  const unknown = requested.filter((s) => !(SERVICE_NAMES as string[]).includes(s));
  if (unknown.length > 0)
    throw new Error(`Unknown service(s): ${unknown.join(', ')}. Known: ${SERVICE_NAMES.join(', ')}`);
  const chosen = new Set(requested as ServiceName[]);
  for (const name of chosen) {
    const missing = SERVICES[name].needs.filter((n) => !chosen.has(n) && !remote(n));
    if (missing.length > 0)
      throw new Error(
        `Service ${name} needs ${missing.join(', ')}: add it to --services, or set SERVICE_URL_<SERVICE> (or SERVICE_URL_TEMPLATE) to reach it`,
      );
  }
  return SERVICE_NAMES.filter((n) => chosen.has(n));
}
