import type { FastifyReply, FastifyRequest } from 'fastify';
import { requestCtx } from '../../../platform/context.js';
import { validationFailed } from '../../../platform/errors/app-error.js';
import { withBodyFieldPaths } from '../../../platform/http/errors.js';
import type { HttpApp } from '../../../platform/http/types.js';
import { toJson } from '../../../platform/money.js';
import { access } from '../../../platform/security/access.js';
import {
  addItem,
  addPromotionCode,
  cartView,
  createCart,
  loadOwnedCart,
  removeItem,
  removePromotionCode,
  setShippingAddress,
  setShippingMethod,
  shippingOptions,
  updateItem,
} from '../app/cart.service.js';
import { mergeGuestCart } from '../app/cart-merge.js';
import type { CartView } from '../app/cart-view.js';
import type { OrderDeps } from '../app/deps.js';
import type { Requester } from '../domain/cart-token.js';
import {
  addItemBody,
  addressBody,
  cartHeaders,
  cartItemParams,
  cartParams,
  cartPromotionParams,
  cartSchema,
  createCartBody,
  createdCartSchema,
  promotionCodeBody,
  shippingMethodBody,
  shippingOptionsSchema,
  updateItemBody,
} from './order.schemas.js';

const tags = ['cart'];
const OWNER =
  'Guests send the cartToken from POST /carts as X-Cart-Token; a missing or wrong token is 404, as for a cart that does not exist.';
const VERSIONED = `${OWNER} Send If-Match: <version> to refuse the change with 409 conflict when the cart changed meanwhile.`;

/** The requester of a cart or order: the guest's X-Cart-Token and/or a signed-in customer. */
export function requesterOf(request: FastifyRequest): Requester {
  const token = request.headers['x-cart-token'];
  return {
    cartToken: typeof token === 'string' ? token : undefined,
    customerId: request.principal?.type === 'customer' ? request.principal.id : undefined,
  };
}

/** `If-Match: 3`, `"3"` or `W/"3"` → 3; `*` or absent → no precondition. */
export function ifMatchVersion(request: FastifyRequest): number | undefined {
  const raw = request.headers['if-match'];
  if (raw === undefined || raw.trim() === '*') return undefined;
  const m = /^\s*(?:W\/)?"?(\d{1,9})"?\s*$/.exec(raw);
  if (!m)
    throw validationFailed('If-Match must be the cart version', [
      { path: 'headers.if-match', message: 'must be a cart version such as "3"' },
    ]);
  return Number(m[1]);
}

const sendCart = (reply: FastifyReply, view: CartView) =>
  reply.header('etag', `"${view.version}"`).send(view);

export function registerCartRoutes(app: HttpApp, deps: OrderDeps): void {
  app.post(
    '/carts',
    {
      config: { access: access.public() },
      schema: {
        tags,
        summary: 'Create a cart',
        description:
          'A guest cart answers with a cartToken (shown once) that every later call must send as X-Cart-Token; a signed-in customer’s cart is bound to the customer.',
        body: createCartBody,
        response: { 201: createdCartSchema },
      },
    },
    async (request, reply) => {
      const who = requesterOf(request);
      const { view, cartToken } = await createCart(requestCtx(request), deps, request.body, who.customerId);
      return reply
        .status(201)
        .header('location', `${app.prefix}/carts/${view.id}`)
        .header('etag', `"${view.version}"`)
        .header('cache-control', 'no-store')
        .send({ ...view, ...(cartToken ? { cartToken } : {}) });
    },
  );

  app.get(
    '/carts/:id',
    {
      config: { access: access.public() },
      schema: {
        tags,
        summary: 'Get a cart with prices, shipping, tax and totals',
        description: `${OWNER} Totals come from one batched price quote, one shipping quote and one tax call.`,
        params: cartParams,
        headers: cartHeaders,
        response: { 200: cartSchema },
      },
    },
    async (request, reply) => {
      const cart = await loadOwnedCart(deps, request.params.id, requesterOf(request));
      return sendCart(reply, await cartView(deps, cart));
    },
  );

  app.post(
    '/carts/:id/items',
    {
      config: { access: access.public() },
      schema: {
        tags,
        summary: 'Add a product to the cart',
        description: `${VERSIONED} Adding a sku already in the cart increases its quantity (at most 999 per line). An unknown sku is 422 unknown_sku, an archived one 422 product_unavailable, one without a price in the cart currency 422 price_unavailable.`,
        params: cartParams,
        headers: cartHeaders,
        body: addItemBody,
        response: { 200: cartSchema },
      },
    },
    async (request, reply) => {
      const view = await addItem(
        requestCtx(request),
        deps,
        request.params.id,
        requesterOf(request),
        request.body,
        ifMatchVersion(request),
      );
      return sendCart(reply, view);
    },
  );

  app.patch(
    '/carts/:id/items/:itemId',
    {
      config: { access: access.public() },
      schema: {
        tags,
        summary: 'Change the quantity of a cart line',
        description: VERSIONED,
        params: cartItemParams,
        headers: cartHeaders,
        body: updateItemBody,
        response: { 200: cartSchema },
      },
    },
    async (request, reply) => {
      const { id, itemId } = request.params;
      const view = await updateItem(
        requestCtx(request),
        deps,
        id,
        itemId,
        requesterOf(request),
        request.body.quantity,
        ifMatchVersion(request),
      );
      return sendCart(reply, view);
    },
  );

  app.delete(
    '/carts/:id/items/:itemId',
    {
      config: { access: access.public() },
      schema: {
        tags,
        summary: 'Remove a cart line',
        description: VERSIONED,
        params: cartItemParams,
        headers: cartHeaders,
        response: { 200: cartSchema },
      },
    },
    async (request, reply) => {
      const { id, itemId } = request.params;
      const view = await removeItem(
        requestCtx(request),
        deps,
        id,
        itemId,
        requesterOf(request),
        ifMatchVersion(request),
      );
      return sendCart(reply, view);
    },
  );

  app.put(
    '/carts/:id/shipping-address',
    {
      config: { access: access.public() },
      schema: {
        tags,
        summary: 'Set the shipping address',
        description: `${VERSIONED} Validated: ISO 3166-1 alpha-2 country, postal code format (US, CA, GB, DE, FR, NL), E.164 phone; trimmed, length-limited, no control characters. A new country or postal code clears the chosen shipping method.`,
        params: cartParams,
        headers: cartHeaders,
        body: addressBody,
        response: { 200: cartSchema },
      },
    },
    async (request, reply) => {
      const view = await withBodyFieldPaths(() =>
        setShippingAddress(
          requestCtx(request),
          deps,
          request.params.id,
          requesterOf(request),
          request.body,
          ifMatchVersion(request),
        ),
      );
      return sendCart(reply, view);
    },
  );

  app.get(
    '/carts/:id/shipping-options',
    {
      config: { access: access.public() },
      schema: {
        tags,
        summary: 'Shipping options for the cart',
        description: `${OWNER} Needs a shipping address (422 shipping_address_required). The parcel weight is the sum of the products’ weightGrams attribute × quantity; a product without one counts as 0 g.`,
        params: cartParams,
        headers: cartHeaders,
        response: { 200: shippingOptionsSchema },
      },
    },
    async (request) => {
      const cart = await loadOwnedCart(deps, request.params.id, requesterOf(request));
      const options = await shippingOptions(deps, cart);
      return { items: options.map((o) => ({ ...o, price: toJson(o.price) })) };
    },
  );

  app.put(
    '/carts/:id/shipping-method',
    {
      config: { access: access.public() },
      schema: {
        tags,
        summary: 'Choose a shipping method',
        description: `${VERSIONED} optionId must be one of GET /carts/{id}/shipping-options (else 422 unknown_shipping_option).`,
        params: cartParams,
        headers: cartHeaders,
        body: shippingMethodBody,
        response: { 200: cartSchema },
      },
    },
    async (request, reply) => {
      const view = await setShippingMethod(
        requestCtx(request),
        deps,
        request.params.id,
        requesterOf(request),
        request.body.optionId,
        ifMatchVersion(request),
      );
      return sendCart(reply, view);
    },
  );

  app.post(
    '/carts/:id/promotions',
    {
      config: { access: access.public() },
      schema: {
        tags,
        summary: 'Apply a promotion code',
        description: `${VERSIONED} Codes are case-insensitive. A code no promotion has is 422 unknown_promotion_code (not kept); a known code is kept and listed in promotionCodes as applied, or refused with a stable reason (expired, not_started, limit_reached, customer_limit_reached, budget_exhausted, condition_not_met with the condition, sign_in_required, currency_mismatch, not_combinable). At most PROMOTION_MAX_CODES_PER_CART codes (422 too_many_promotion_codes). Without the promotion service: 422 promotions_unavailable.`,
        params: cartParams,
        headers: cartHeaders,
        body: promotionCodeBody,
        response: { 200: cartSchema },
      },
    },
    async (request, reply) => {
      const view = await addPromotionCode(
        requestCtx(request),
        deps,
        request.params.id,
        requesterOf(request),
        request.body.code,
        ifMatchVersion(request),
      );
      return sendCart(reply, view);
    },
  );

  app.delete(
    '/carts/:id/promotions/:code',
    {
      config: { access: access.public() },
      schema: {
        tags,
        summary: 'Remove a promotion code',
        description: `${VERSIONED} 404 when the cart does not hold the code.`,
        params: cartPromotionParams,
        headers: cartHeaders,
        response: { 200: cartSchema },
      },
    },
    async (request, reply) => {
      const view = await removePromotionCode(
        requestCtx(request),
        deps,
        request.params.id,
        requesterOf(request),
        request.params.code,
        ifMatchVersion(request),
      );
      return sendCart(reply, view);
    },
  );

  app.post(
    '/carts/:id/merge',
    {
      config: { access: access.customer() },
      schema: {
        tags,
        summary: 'Merge a guest cart into the signed-in customer’s cart',
        description:
          'Called by the storefront right after a customer signs in, with the guest cart’s X-Cart-Token. If the customer has an active cart in the same currency, the guest lines move into it (same sku: quantities added; a line over 999 is 422 quantity_limit_exceeded, more than 100 lines 422 cart_full, and nothing changes), the customer’s address and shipping method are kept unless it has none, and the guest cart becomes `merged`. Otherwise the guest cart is bound to the customer. The guest’s promotion codes come along (after the customer’s own, up to PROMOTION_MAX_CODES_PER_CART) and every code is re-evaluated for the customer: one that no longer applies (e.g. customer_limit_reached, a segment condition) is removed and listed in droppedPromotionCodes with its reason. Either way the guest token stops working. A missing or wrong token, or another customer’s cart, is 404; a cart no longer active is 409 cart_not_active. Repeating the call as the same customer answers with the customer’s cart again.',
        params: cartParams,
        headers: cartHeaders,
        response: { 200: cartSchema },
      },
    },
    async (request, reply) => {
      const view = await mergeGuestCart(
        requestCtx(request),
        deps,
        request.params.id,
        request.principal!.id,
        requesterOf(request).cartToken,
      );
      return sendCart(reply, view);
    },
  );
}
