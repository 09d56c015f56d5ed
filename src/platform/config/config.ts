import { readFileSync } from 'node:fs';
import { z } from 'zod';

/**
 * One typed configuration for every process. The schema is keyed by the environment variable
 * names themselves so a validation failure names exactly the setting to fix (seed ORD-P1-04:
 * a consumer silently disabled by a missing setting).
 */
const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((v) => v === 'true' || v === '1' || v === 'yes');
const int = (min: number, max: number) => z.coerce.number().int().min(min).max(max);
const csv = z.string().transform((v) =>
  v
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0),
);

/**
 * Memory of the embedded database (PGlite). Its WebAssembly heap grows to what PostgreSQL touches
 * and is never given back, so PostgreSQL's own defaults (128 MB of shared buffers, up to 1 GB of
 * WAL before a checkpoint — kept in memory with `EPHEMERAL`) are most of the process's RSS.
 */
export const PGLITE_MEMORY_DEFAULTS = {
  sharedBuffersMb: 32,
  maxWalSizeMb: 64,
  wasmCompiler: 'optimizing',
} as const;

export const settingsSchema = z.object({
  NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
  HOST: z.string().min(1).default('0.0.0.0'),
  PORT: int(0, 65535).default(8080),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// or postgresql:// URL')
    .optional(),
  DATABASE_POOL_MAX: int(1, 500).default(10),
  DATABASE_STATEMENT_TIMEOUT_MS: int(0, 3_600_000).default(30_000),
  DATA_DIR: z.string().min(1).default('./.data'),
  EPHEMERAL: bool.default(false),
  PGLITE_SHARED_BUFFERS_MB: int(1, 4096).default(PGLITE_MEMORY_DEFAULTS.sharedBuffersMb),
  // PostgreSQL needs room for two 16 MB WAL segments.
  PGLITE_MAX_WAL_SIZE_MB: int(32, 65_536).default(PGLITE_MEMORY_DEFAULTS.maxWalSizeMb),
  // `optimizing`: PostgreSQL's WebAssembly compiled once by V8's optimizing compiler; `tiered`: V8's
  // default (a quick baseline compile of everything, hot functions again) keeps both codes, ≈ 90 MB.
  PGLITE_WASM_COMPILER: z.enum(['optimizing', 'tiered']).default(PGLITE_MEMORY_DEFAULTS.wasmCompiler),
  CORS_ORIGINS: csv.default([]),
  BODY_LIMIT_BYTES: int(1024, 10 * 1024 * 1024).default(1024 * 1024),
  DOCS_ENABLED: bool.default(true),
  // OpenTelemetry traces (platform/observability/tracing.ts): off unless an OTLP/HTTP endpoint is set.
  OTEL_EXPORTER_OTLP_ENDPOINT: z
    .string()
    .regex(/^https?:\/\//, 'must be an http:// or https:// URL (OTLP/HTTP)')
    .optional(),
  OTEL_SERVICE_NAME: z.string().min(1).default('orderline'),
  ORDERLINE_ADMIN_EMAIL: z.string().email().optional(),
  ORDERLINE_ADMIN_PASSWORD: z.string().min(12, 'must be at least 12 characters').optional(),
  AUTH_ISSUER: z.string().min(1).default('orderline'),
  AUTH_JWT_KEYS: z.string().optional(),
  AUTH_JWT_KEYS_FILE: z.string().optional(),
  AUTH_ACCESS_TTL_STAFF_SECONDS: int(60, 86_400).default(900),
  AUTH_ACCESS_TTL_CUSTOMER_SECONDS: int(60, 86_400).default(3600),
  AUTH_REFRESH_TTL_STAFF_SECONDS: int(300, 30 * 86_400).default(12 * 3600),
  AUTH_REFRESH_TTL_CUSTOMER_SECONDS: int(300, 30 * 86_400).default(7 * 86_400),
  AUTH_LOGIN_MAX_FAILURES: int(1, 100).default(5),
  AUTH_LOCKOUT_MINUTES: int(1, 24 * 60).default(15),
  BUS_URL: z
    .string()
    .regex(/^(memory|redis(s)?:\/\/.+|nats:\/\/.+)$/, 'must be memory, redis://… or nats://…')
    .default('memory'),
  SCHEDULER_TIMEZONE: z.string().min(1).default('UTC'),
  // Eventing (docs/eventing.md): outbox relay, consumers, dead letters, scheduler, compensations.
  BUS_PREFIX: z
    .string()
    .regex(/^[a-z][a-z0-9_-]*$/, 'lowercase letters, digits, _ or -')
    .default('orderline'),
  BUS_STREAM_MAXLEN: int(1000, 1_000_000_000).default(1_000_000),
  BUS_PUBLISH_TIMEOUT_MS: int(100, 120_000).default(5000),
  OUTBOX_BATCH_SIZE: int(1, 10_000).default(200),
  OUTBOX_POLL_MIN_MS: int(1, 60_000).default(50),
  OUTBOX_POLL_MAX_MS: int(10, 600_000).default(5000),
  OUTBOX_LEASE_MS: int(50, 3_600_000).default(30_000),
  OUTBOX_MAX_ATTEMPTS: int(1, 1000).default(30),
  OUTBOX_RETRY_BASE_MS: int(1, 600_000).default(500),
  OUTBOX_RETRY_MAX_MS: int(1, 3_600_000).default(300_000),
  OUTBOX_RETENTION_HOURS: int(1, 24 * 365).default(7 * 24),
  CONSUMER_CONCURRENCY: int(1, 256).default(8),
  // Deliveries one consumer transaction handles at once (docs/eventing.md); 1 turns batching off.
  // 1 by default until the batched shipment-booking kick bug (docs/eventing.md) is fixed.
  CONSUMER_BATCH_SIZE: int(1, 1000).default(64),
  CONSUMER_RETRY_DELAYS_MS: csv
    .pipe(z.array(z.string().regex(/^\d+$/, 'milliseconds').transform(Number)))
    .default([100, 200, 400]),
  CONSUMER_REDELIVERY_BASE_MS: int(1, 3_600_000).default(1000),
  CONSUMER_REDELIVERY_MAX_MS: int(1, 24 * 3_600_000).default(300_000),
  CONSUMER_MAX_DELIVERIES: int(1, 1000).default(10),
  CONSUMER_ACK_WAIT_MS: int(100, 3_600_000).default(30_000),
  INBOX_RETENTION_HOURS: int(1, 24 * 3650).default(30 * 24),
  DLQ_REPLAY_WINDOW_HOURS: int(1, 24 * 3650).default(14 * 24),
  COMPENSATION_RETRY_CRON: z.string().min(1).default('* * * * *'),
  COMPENSATION_MAX_ATTEMPTS: int(1, 1000).default(20),
  COMPENSATION_RETRY_BASE_MS: int(1, 3_600_000).default(5000),
  COMPENSATION_RETRY_MAX_MS: int(1, 24 * 3_600_000).default(30 * 60_000),
  // Pricing (docs/checkout.md).
  PRICING_EXCHANGE_RATE_MAX_AGE_MINUTES: int(1, 30 * 24 * 60).default(24 * 60),
  PRICING_EXCHANGE_RATES_FILE: z.string().optional(),
  PRICING_EXCHANGE_RATE_REFRESH_CRON: z.string().min(1).default('0 * * * *'),
  PRICING_CACHE_TTL_SECONDS: int(0, 86_400).default(60),
  PRICING_CACHE_MAX_ENTRIES: int(0, 10_000_000).default(50_000),
  // Read caches for `cached: true` reads and the storefront (src/platform/read-options.ts):
  // dropped on the service's own writes at once; the TTL bounds how late another replica's
  // write is seen. 0 disables a cache.
  PRICING_TAX_CACHE_TTL_SECONDS: int(0, 86_400).default(60),
  CATALOG_CACHE_TTL_SECONDS: int(0, 86_400).default(30),
  CATALOG_CACHE_MAX_ENTRIES: int(0, 10_000_000).default(50_000),
  SHIPPING_OPTIONS_CACHE_TTL_SECONDS: int(0, 86_400).default(60),
  /** How long a cart VIEW may use the promotion rules (and their usage counters) it read; 0 = never. */
  PROMOTION_RULES_CACHE_TTL_SECONDS: int(0, 3_600).default(5),
  // Warehouse.
  WAREHOUSE_LOW_STOCK_THRESHOLD: int(0, 1_000_000).default(5),
  WAREHOUSE_RESERVATION_EXPIRY_CRON: z.string().min(1).default('* * * * *'),
  WAREHOUSE_RECONCILIATION_CRON: z.string().min(1).default('0 * * * *'),
  WAREHOUSE_JOB_BATCH_SIZE: int(1, 100_000).default(500),
  // GeoNames postal-code files (export/zip): allocation by postal-code centroid where they cover it.
  WAREHOUSE_POSTAL_CENTROIDS_FILES: csv.default([]),
  // Promotions (docs/promotions.md): the largest fixed discount a rule may give, in minor units
  // (PM-P0-02), and how many codes one cart may hold.
  PROMOTION_FIXED_MAX_AMOUNT: int(1, Number.MAX_SAFE_INTEGER).default(100_000),
  PROMOTION_MAX_CODES_PER_CART: int(1, 20).default(5),
  // Checkout (order service): how long a card/COD checkout holds stock while payment completes.
  CHECKOUT_PAYMENT_WINDOW_MINUTES: int(1, 7 * 24 * 60).default(30),
  CHECKOUT_BANK_TRANSFER_WINDOW_HOURS: int(1, 30 * 24).default(72),
  IDEMPOTENCY_KEY_RETENTION_HOURS: int(24, 24 * 365).default(48),
  // A request holding an Idempotency-Key longer than this is presumed crashed and may be taken over.
  IDEMPOTENCY_LEASE_SECONDS: int(10, 24 * 3600).default(120),
  IDEMPOTENCY_PURGE_CRON: z.string().min(1).default('17 * * * *'),
  // Compensates checkouts abandoned by a crashed process (their lease ran out).
  CHECKOUT_RECOVERY_CRON: z.string().min(1).default('* * * * *'),
  // Rows per run of the order service's jobs (checkout recovery, idempotency purge).
  ORDER_JOB_BATCH_SIZE: int(1, 100_000).default(200),
  // Payment providers.
  PAYMENT_PROVIDER_TIMEOUT_MS: int(50, 120_000).default(5000),
  PAYMENT_CIRCUIT_ERROR_THRESHOLD_PERCENT: int(1, 100).default(50),
  PAYMENT_CIRCUIT_VOLUME_THRESHOLD: int(1, 10_000).default(5),
  PAYMENT_CIRCUIT_RESET_MS: int(100, 3_600_000).default(30_000),
  PAYMENT_TESTPAY_WEBHOOK_SECRETS: csv.default([]),
  PAYMENT_WEBHOOK_TOLERANCE_SECONDS: int(1, 3600).default(300),
  // Customer accounts and notification (issue 6: docs/security.md).
  CUSTOMER_LOGIN_MAX_FAILURES: int(1, 100).default(5),
  CUSTOMER_LOCKOUT_MINUTES: int(1, 24 * 60).default(15),
  CUSTOMER_VERIFICATION_TOKEN_TTL_HOURS: int(1, 30 * 24).default(48),
  CUSTOMER_RESET_TOKEN_TTL_MINUTES: int(5, 24 * 60).default(30),
  // 0 erases at the next cleanup run; the default leaves support a week to cancel a request.
  CUSTOMER_ERASURE_GRACE_HOURS: int(0, 90 * 24).default(7 * 24),
  CUSTOMER_AUDIT_RETENTION_DAYS: int(1, 10 * 365).default(365),
  CUSTOMER_CLEANUP_CRON: z.string().min(1).default('0 3 * * *'),
  CUSTOMER_JOB_BATCH_SIZE: int(1, 100_000).default(200),
  // Where the links in account emails point (the storefront's verify/reset pages).
  CUSTOMER_STOREFRONT_URL: z.string().url().default('http://localhost:8080'),
  // Order statistics and segments (issue 12: docs/customers.md "Statistics", "Segments").
  CUSTOMER_STATS_RECONCILIATION_CRON: z.string().min(1).default('11 * * * *'),
  // Figures that changed this recently (events still in flight) wait for the next reconciliation.
  CUSTOMER_STATS_SETTLE_MINUTES: int(0, 24 * 60).default(15),
  CUSTOMER_SEGMENT_EVALUATION_CRON: z.string().min(1).default('30 2 * * *'),
  // Loyalty (issue 12: docs/loyalty.md). Points per whole currency unit of a delivered order's total.
  LOYALTY_POINTS_PER_UNIT: int(0, 10_000).default(1),
  // name:minimum lifetime points:multiplier in percent, ascending; the first tier starts at 0.
  LOYALTY_TIERS: z
    .string()
    .regex(
      /^[a-z][a-z0-9_]{0,31}:\d{1,12}:\d{1,4}(,[a-z][a-z0-9_]{0,31}:\d{1,12}:\d{1,4})*$/,
      'name:minPoints:multiplierPercent,…',
    )
    .default('bronze:0:100,silver:1000:125,gold:5000:150'),
  // Points lapse after this many days without earning; 0 turns expiry off.
  LOYALTY_POINTS_EXPIRY_DAYS: int(0, 10 * 365).default(365),
  LOYALTY_EXPIRY_CRON: z.string().min(1).default('45 3 * * *'),
  LOYALTY_JOB_BATCH_SIZE: int(1, 100_000).default(200),
  // What one point is worth at checkout, in minor units of the order's currency.
  LOYALTY_POINT_VALUE_MINOR: int(1, 1_000_000).default(1),
  // Reviews (issue 13: docs/reviews.md): words or phrases that hold a review for moderation.
  REVIEW_BANNED_WORDS: csv.default([]),
  // SMTP in production (smtp://user:pass@host:587 or smtps://…); memory sink otherwise.
  SMTP_URL: z
    .string()
    .regex(/^smtps?:\/\/.+/, 'must be an smtp:// or smtps:// URL')
    .optional(),
  MAIL_FROM: z.string().min(3).default('Orderline <no-reply@orderline.local>'),
  NOTIFICATION_MAX_ATTEMPTS: int(1, 100).default(8),
  NOTIFICATION_RETRY_CRON: z.string().min(1).default('* * * * *'),
  // Backoff of failed sends (doubles from the base up to the cap), then `failed` (docs/notifications.md).
  NOTIFICATION_RETRY_BASE_MS: int(1, 24 * 3_600_000).default(30_000),
  NOTIFICATION_RETRY_MAX_MS: int(1, 7 * 24 * 3_600_000).default(3_600_000),
  // Who gets operator messages (low stock, SLA breach, manual shipments, failed compensations,
  // dead letters); ORDERLINE_ADMIN_EMAIL when empty.
  NOTIFICATION_OPERATOR_EMAILS: csv.default([]),
  // Tracking links in shipping emails: `carrier=https://…{tracking}…` pairs; a carrier without one
  // links to the storefront's tracking page (CUSTOMER_STOREFRONT_URL/orders/{order}/tracking).
  NOTIFICATION_TRACKING_URLS: csv.default([]),
  // Watches dead letters and failed compensations of every service in the process for operators.
  NOTIFICATION_OPS_WATCH_CRON: z.string().min(1).default('*/5 * * * *'),
  // Operators hear about dead letters once a service has at least this many open, and again at each new high.
  NOTIFICATION_DLQ_ALERT_THRESHOLD: int(1, 1_000_000).default(1),
  // Auth sessions, staff directory and gateway hardening (issue 6: docs/security.md "Tokens and
  // sessions", "Rate limits").
  AUTH_SESSION_LIMIT_CUSTOMER: int(1, 1000).default(5),
  AUTH_SESSION_LIMIT_ADMIN: int(1, 1000).default(10),
  AUTH_SESSION_LIMIT_SHIPPER: int(1, 1000).default(3),
  AUTH_DEVICE_BINDING: z.enum(['off', 'warn', 'block']).default('off'),
  AUTH_SESSION_IDLE_DAYS: int(1, 365).default(7),
  AUTH_SESSION_MAX_AGE_DAYS: int(1, 365).default(30),
  AUTH_SESSION_CLEANUP_CRON: z.string().min(1).default('41 * * * *'),
  // A8: the first cleanup waits this long after start-up so a cold start does not spike the database.
  AUTH_SESSION_CLEANUP_STARTUP_DELAY_SECONDS: int(0, 86_400).default(300),
  AUTH_SESSION_CLEANUP_BATCH_SIZE: int(1, 100_000).default(500),
  // Shared rate-limit counters across gateway replicas; in-memory per process when unset.
  REDIS_URL: z
    .string()
    .regex(/^rediss?:\/\/.+/, 'must be a redis:// or rediss:// URL')
    .optional(),
  // Proxies whose X-Forwarded-For is believed (addresses/CIDRs), so per-IP limits see the client.
  HTTP_TRUST_PROXY: csv.default([]),
  RATE_LIMIT_ENABLED: bool.default(true),
  RATE_LIMIT_WINDOW_SECONDS: int(1, 86_400).default(60),
  // Per principal (or IP when anonymous), per route template and method, per window.
  RATE_LIMIT_MAX: int(1, 10_000_000).default(300),
  // Every request of every client together, per window (per process without REDIS_URL).
  RATE_LIMIT_GLOBAL_MAX: int(1, 1_000_000_000).default(50_000),
  // Login, registration, password-reset request: per IP, per route.
  RATE_LIMIT_CREDENTIALS_MAX: int(1, 10_000_000).default(10),
  RATE_LIMIT_CREDENTIALS_WINDOW_SECONDS: int(1, 86_400).default(300),
  RATE_LIMIT_KEY_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9:_-]{1,64}$/, 'letters, digits, :, _ or -')
    .default('orderline:rl:'),
  // Order lifecycle after checkout (issue 5: docs/order-lifecycle.md): capture, cancellation, jobs.
  ORDER_CANCELLATION_WINDOW_MINUTES: int(0, 30 * 24 * 60).default(60),
  ORDER_CAPTURE_MAX_ATTEMPTS: int(1, 100).default(3),
  ORDER_CAPTURE_RETRY_BASE_MS: int(1, 3_600_000).default(5000),
  ORDER_CAPTURE_RETRY_MAX_MS: int(1, 24 * 3_600_000).default(60_000),
  // Card authorizations this old are not captured but voided (networks drop them after ~7 days).
  ORDER_AUTHORIZATION_MAX_AGE_HOURS: int(1, 90 * 24).default(7 * 24),
  ORDER_COD_AUTO_CONFIRM: bool.default(true),
  ORDER_COD_CONFIRMATION_WINDOW_HOURS: int(1, 30 * 24).default(24),
  ORDER_CART_ABANDON_DAYS: int(1, 3650).default(30),
  // Cancelled orders get this long for the warehouse consumer before reservation-cleanup releases.
  ORDER_RESERVATION_CLEANUP_GRACE_MINUTES: int(0, 24 * 60).default(5),
  // Pages of ORDER_JOB_BATCH_SIZE rows one run of an order job handles at most.
  ORDER_JOB_MAX_PAGES: int(1, 10_000).default(20),
  ORDER_CAPTURE_RETRY_CRON: z.string().min(1).default('* * * * *'),
  ORDER_COD_CONFIRMATION_CRON: z.string().min(1).default('* * * * *'),
  ORDER_CLEANUP_CRON: z.string().min(1).default('*/15 * * * *'),
  ORDER_RESERVATION_CLEANUP_CRON: z.string().min(1).default('7-59/15 * * * *'),
  ORDER_CART_CLEANUP_CRON: z.string().min(1).default('23 * * * *'),
  PAYMENT_SETTLEMENT_CRON: z.string().min(1).default('* * * * *'),
  // Fulfillment (issue 5, docs/order-lifecycle.md "Fulfillment"): ship-by SLA and its detector job.
  FULFILLMENT_SLA_HOURS: int(1, 30 * 24).default(48),
  FULFILLMENT_SLA_BREACH_CRON: z.string().min(1).default('*/30 * * * *'),
  FULFILLMENT_JOB_BATCH_SIZE: int(1, 100_000).default(50),
  FULFILLMENT_JOB_MAX_PAGES: int(1, 10_000).default(20),
  // Shipped fulfillments complete on delivery, or by this job this many days after shipping.
  FULFILLMENT_AUTO_COMPLETE_DAYS: int(1, 365).default(7),
  FULFILLMENT_AUTO_COMPLETE_CRON: z.string().min(1).default('13 * * * *'),
  // Shipments (issue 5, docs/order-lifecycle.md "Shipping"): carrier calls, retries, manual
  // fallback, tracking by signed webhook or polling.
  SHIPPING_CARRIER_TIMEOUT_MS: int(50, 120_000).default(5000),
  SHIPPING_CIRCUIT_ERROR_THRESHOLD_PERCENT: int(1, 100).default(50),
  SHIPPING_CIRCUIT_VOLUME_THRESHOLD: int(1, 10_000).default(5),
  SHIPPING_CIRCUIT_RESET_MS: int(100, 3_600_000).default(30_000),
  SHIPPING_CARRIER_MAX_ATTEMPTS: int(1, 100).default(5),
  SHIPPING_CARRIER_RETRY_BASE_MS: int(1, 3_600_000).default(10_000),
  SHIPPING_CARRIER_RETRY_MAX_MS: int(1, 24 * 3_600_000).default(600_000),
  SHIPPING_SHIPMENT_RETRY_CRON: z.string().min(1).default('* * * * *'),
  SHIPPING_TRACKING_POLL_CRON: z.string().min(1).default('*/10 * * * *'),
  SHIPPING_JOB_BATCH_SIZE: int(1, 100_000).default(100),
  SHIPPING_SIMCARRIER_WEBHOOK_SECRETS: csv.default([]),
  SHIPPING_WEBHOOK_TOLERANCE_SECONDS: int(1, 3600).default(300),
  // Returns and completion (docs/order-lifecycle.md "Returns", "Completion").
  ORDER_RETURN_WINDOW_DAYS: int(0, 365).default(30),
  ORDER_COMPLETION_CRON: z.string().min(1).default('31 * * * *'),
  // Shipped orders told "all delivered" whose check against shipping a kick missed.
  ORDER_DELIVERY_CHECK_CRON: z.string().min(1).default('*/5 * * * *'),
  ORDER_RETURN_COMPENSATION_CRON: z.string().min(1).default('*/2 * * * *'),
  ORDER_RETURN_STEP_MAX_ATTEMPTS: int(1, 100).default(8),
  ORDER_RETURN_STEP_RETRY_BASE_MS: int(1, 3_600_000).default(30_000),
  ORDER_RETURN_STEP_RETRY_MAX_MS: int(1, 24 * 3_600_000).default(1_800_000),
  ORDER_BULK_MAX_ROWS: int(1, 10_000).default(500),
  // Analytics (docs/analytics.md). The key of the HMAC that replaces customer ids, emails and user
  // agents before storage (G10); the analytics module refuses to start without it in production; a random per-process key otherwise.
  ANALYTICS_PII_HASH_KEY: z.string().min(32, 'must be at least 32 characters').optional(),
  ANALYTICS_CONSUMER_BATCH_SIZE: int(1, 1000).default(200),
  ANALYTICS_INGEST_QUEUE_MAX: int(1, 10_000_000).default(50_000),
  ANALYTICS_INGEST_BATCH_MAX: int(1, 500).default(500),
  ANALYTICS_INGEST_FLUSH_MS: int(1, 60_000).default(50),
  ANALYTICS_DEDUP_CACHE_MAX: int(1, 10_000_000).default(100_000),
  ANALYTICS_DEDUP_CACHE_TTL_SECONDS: int(1, 7 * 86_400).default(86_400),
  ANALYTICS_CIRCUIT_ERROR_THRESHOLD_PERCENT: int(1, 100).default(50),
  ANALYTICS_CIRCUIT_VOLUME_THRESHOLD: int(1, 10_000).default(5),
  ANALYTICS_CIRCUIT_RESET_MS: int(100, 3_600_000).default(10_000),
  ANALYTICS_HOURLY_CRON: z.string().min(1).default('2 * * * *'),
  ANALYTICS_DAILY_CRON: z.string().min(1).default('7 0 * * *'),
  ANALYTICS_REALTIME_MINUTES: int(1, 1440).default(15),
  ANALYTICS_MAX_RANGE_DAYS: int(1, 3660).default(366),
  ANALYTICS_RETENTION_DAYS: int(1, 3660).default(90),
  ANALYTICS_PARTITIONS_AHEAD: int(1, 24).default(2),
  ANALYTICS_RETENTION_CRON: z.string().min(1).default('23 1 * * *'),
  ANALYTICS_RECONCILIATION_CRON: z.string().min(1).default('41 0 * * *'),
  ANALYTICS_JOB_BATCH_SIZE: int(1, 10_000).default(200),
  // Backfill (docs/analytics.md): events per page read from a source's outbox, pages per job run,
  // and the longest window one request may ask for (the outboxes keep OUTBOX_RETENTION_HOURS).
  ANALYTICS_BACKFILL_PAGE_SIZE: int(1, 5000).default(500),
  ANALYTICS_BACKFILL_PAGES_PER_RUN: int(1, 100_000).default(100),
  ANALYTICS_BACKFILL_MAX_WINDOW_HOURS: int(1, 24 * 365).default(7 * 24),
  ANALYTICS_BACKFILL_CRON: z.string().min(1).default('* * * * *'),
  // Distributed mode (docs/distributed.md): service-to-service calls over HTTP (platform/rpc).
  // A peer's URL is SERVICE_URL_<SERVICE> (e.g. SERVICE_URL_ORDER), else this template with
  // `{service}` replaced; a service with neither must run in this process.
  SERVICE_URL_TEMPLATE: z
    .string()
    .regex(/^https?:\/\/.*\{service\}/, 'must be an http(s):// URL containing {service}')
    .optional(),
  // HMAC secret of the short-lived service tokens every internal call carries (shared by all processes).
  SERVICE_TOKEN_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
  SERVICE_TOKEN_TTL_SECONDS: int(10, 3600).default(60),
  RPC_TIMEOUT_MS: int(1, 600_000).default(5000),
  // Extra attempts of an idempotent call after a transport failure (never for other calls).
  RPC_RETRIES: int(0, 10).default(2),
  RPC_RETRY_BASE_MS: int(1, 60_000).default(50),
  RPC_CONNECTIONS: int(1, 1024).default(32),
  // Per upstream: the breaker opens at this share of failed calls (within its rolling window).
  RPC_BREAKER_ERROR_PERCENT: int(1, 100).default(50),
  RPC_BREAKER_MIN_CALLS: int(1, 10_000).default(10),
  RPC_BREAKER_RESET_MS: int(100, 600_000).default(10_000),
  // The gateway process (`--services gateway`): per-upstream time for a whole proxied request.
  GATEWAY_UPSTREAM_TIMEOUT_MS: int(1, 600_000).default(30_000),
});

export type Settings = z.infer<typeof settingsSchema>;

export interface Config extends Settings {
  isProduction: boolean;
  /** Where the data lives, for humans: `postgres` or the PGlite directory / `memory`. */
  databaseKind: 'postgres' | 'pglite';
  /** `SERVICE_URL_<SERVICE>` settings, by lower-case service name. */
  serviceUrls: Record<string, string>;
  /** `DATABASE_URL_<SERVICE>` settings, by lower-case service name (DATABASE_URL otherwise). */
  serviceDatabaseUrls: Record<string, string>;
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** Names of settings whose values must never be printed. */
export const SECRET_SETTINGS = new Set([
  'DATABASE_URL',
  'ORDERLINE_ADMIN_PASSWORD',
  'AUTH_JWT_KEYS',
  'PAYMENT_TESTPAY_WEBHOOK_SECRETS',
  'SHIPPING_SIMCARRIER_WEBHOOK_SECRETS',
  'ANALYTICS_PII_HASH_KEY',
  'SERVICE_TOKEN_SECRET',
]);

type Env = Record<string, string | undefined>;

/** Reads `ORDERLINE_CONFIG_FILE` (JSON of setting → value); the environment wins over the file. */
function withConfigFile(env: Env): Env {
  const file = env.ORDERLINE_CONFIG_FILE;
  if (!file) return env;
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new ConfigError([`ORDERLINE_CONFIG_FILE: cannot read ${file}: ${(err as Error).message}`]);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new ConfigError([`ORDERLINE_CONFIG_FILE: ${file} must hold a JSON object of settings`]);
  }
  const fromFile = Object.fromEntries(Object.entries(parsed).map(([k, v]) => [k, String(v)]));
  return { ...fromFile, ...env };
}

export function loadConfig(
  env: Env = process.env,
  overrides: Partial<Record<keyof Settings, string>> = {},
): Config {
  const merged: Env = { ...withConfigFile(env), ...overrides };
  // Empty strings count as unset, the way shells and Kubernetes manifests usually mean them.
  const input = Object.fromEntries(
    Object.keys(settingsSchema.shape).map((k) => [k, merged[k] === '' ? undefined : merged[k]]),
  );
  const result = settingsSchema.safeParse(input);
  if (!result.success) {
    throw new ConfigError(result.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`));
  }
  const s = result.data;
  const problems: string[] = [];
  const isProduction = s.NODE_ENV === 'production';
  const serviceUrls = perServiceSettings(merged, 'SERVICE_URL_', /^https?:\/\//, problems);
  const serviceDatabaseUrls = perServiceSettings(merged, 'DATABASE_URL_', /^postgres(ql)?:\/\//, problems);
  if (isProduction) {
    // No default that is only right in development is accepted in production.
    if (s.CORS_ORIGINS.includes('*')) problems.push('CORS_ORIGINS: wildcard "*" is refused in production');
    if (!s.DATABASE_URL && Object.keys(serviceDatabaseUrls).length === 0)
      problems.push('DATABASE_URL: required in production (embedded PGlite is for development)');
    if (!s.ORDERLINE_ADMIN_EMAIL) problems.push('ORDERLINE_ADMIN_EMAIL: required in production');
    if (!s.ORDERLINE_ADMIN_PASSWORD) problems.push('ORDERLINE_ADMIN_PASSWORD: required in production');
    if (s.PAYMENT_TESTPAY_WEBHOOK_SECRETS.length === 0)
      problems.push('PAYMENT_TESTPAY_WEBHOOK_SECRETS: required in production (webhook signature secrets)');
    if (s.SHIPPING_SIMCARRIER_WEBHOOK_SECRETS.length === 0)
      problems.push(
        'SHIPPING_SIMCARRIER_WEBHOOK_SECRETS: required in production (webhook signature secrets)',
      );
    if (!s.SMTP_URL)
      problems.push('SMTP_URL: required in production (the memory mail sink is for development)');
    if (!s.AUTH_JWT_KEYS && !s.AUTH_JWT_KEYS_FILE)
      problems.push('AUTH_JWT_KEYS: signing keys are required in production (or AUTH_JWT_KEYS_FILE)');
  }
  if (s.ORDERLINE_ADMIN_EMAIL && !s.ORDERLINE_ADMIN_PASSWORD)
    problems.push('ORDERLINE_ADMIN_PASSWORD: required when ORDERLINE_ADMIN_EMAIL is set');
  problems.push(...eventingProblems(s));
  if (problems.length > 0) throw new ConfigError(problems);
  return {
    ...s,
    isProduction,
    databaseKind: s.DATABASE_URL || Object.keys(serviceDatabaseUrls).length > 0 ? 'postgres' : 'pglite',
    serviceUrls,
    serviceDatabaseUrls,
  };
}

/** `<PREFIX><SERVICE>=value` settings (one per service, names not known here), by lower-case service. */
function perServiceSettings(
  env: Env,
  prefix: string,
  valid: RegExp,
  problems: string[],
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(env)) {
    const match = new RegExp(`^${prefix}([A-Z][A-Z0-9]*)$`).exec(key);
    if (!match || !value) continue;
    if (!valid.test(value)) problems.push(`${key}: must match ${valid.source}`);
    else out[match[1]!.toLowerCase()] = value;
  }
  return out;
}

/**
 * Inbox rows are the only memory of "already applied" (G4): they must outlive every redelivery
 * (all deliveries at the longest backoff) plus the manual replay window (NServiceBus's rule).
 */
function eventingProblems(s: Settings): string[] {
  const problems: string[] = [];
  const redeliveryHours = (s.CONSUMER_MAX_DELIVERIES * s.CONSUMER_REDELIVERY_MAX_MS) / 3_600_000;
  if (s.INBOX_RETENTION_HOURS < redeliveryHours + s.DLQ_REPLAY_WINDOW_HOURS)
    problems.push(
      `INBOX_RETENTION_HOURS: must be at least the redelivery window plus DLQ_REPLAY_WINDOW_HOURS (${Math.ceil(redeliveryHours + s.DLQ_REPLAY_WINDOW_HOURS)} h)`,
    );
  // A backfill re-reads published outbox rows; their "already applied" marks must outlive them, or
  // an event still in an outbox could be applied a second time (docs/analytics.md "Backfill").
  if (s.INBOX_RETENTION_HOURS < s.OUTBOX_RETENTION_HOURS)
    problems.push(
      'INBOX_RETENTION_HOURS: must be at least OUTBOX_RETENTION_HOURS (event history is re-read)',
    );
  if (s.OUTBOX_POLL_MIN_MS > s.OUTBOX_POLL_MAX_MS)
    problems.push('OUTBOX_POLL_MIN_MS: must not exceed OUTBOX_POLL_MAX_MS');
  if (s.OUTBOX_RETRY_BASE_MS > s.OUTBOX_RETRY_MAX_MS)
    problems.push('OUTBOX_RETRY_BASE_MS: must not exceed OUTBOX_RETRY_MAX_MS');
  return problems;
}

/** The effective configuration with secrets redacted (`orderline config`). */
export function redactedConfig(config: Config): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(config).map(([k, v]) => {
      if (k === 'serviceDatabaseUrls' || k === 'serviceUrls')
        return [
          k,
          Object.fromEntries(
            Object.entries(v as Record<string, string>).map(([name, url]) => [name, hideUserInfo(url)]),
          ),
        ];
      if (SECRET_SETTINGS.has(k) && v !== undefined && typeof v !== 'string') return [k, '***'];
      if (typeof v !== 'string') return [k, v];
      // Credentials inside any URL are hidden; other secrets entirely.
      if (/^[a-z]+:\/\//.test(v)) return [k, hideUserInfo(v)];
      return [k, SECRET_SETTINGS.has(k) ? '***' : v];
    }),
  );
}

const hideUserInfo = (url: string): string => url.replace(/\/\/[^@/]*@/, '//***@');
