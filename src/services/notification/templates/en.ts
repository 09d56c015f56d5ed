import type { TemplateSources } from './sources.js';

/**
 * English templates (the fallback of every locale). Handlebars: `{{x}}` is HTML-escaped in the
 * HTML body; `{{url x}}` is an escaped http(s) link; `{{money m}}` formats integer minor units.
 */
export const en: TemplateSources = {
  email_verification: {
    subject: 'Confirm your email address',
    text: `Hi {{firstName}},

Please confirm your email address to finish setting up your account: {{link}}

If the link does not open, use this code on the verification page: {{token}}

The link works once and expires in {{expiresInHours}} hours. If you did not create an account, ignore this email.`,
    html: `<p>Hi {{firstName}},</p>
<p>Please confirm your email address to finish setting up your account: <a href="{{url link}}">{{url link}}</a></p>
<p>If the link does not open, use this code on the verification page: {{token}}</p>
<p>The link works once and expires in {{expiresInHours}} hours. If you did not create an account, ignore this email.</p>`,
  },
  password_reset: {
    subject: 'Reset your password',
    text: `Hi {{firstName}},

Someone asked to reset the password of your account. To choose a new one, open: {{link}}

Or use this code on the reset page: {{token}}

The link works once and expires in {{expiresInMinutes}} minutes. If it was not you, ignore this email; your password stays as it is.`,
    html: `<p>Hi {{firstName}},</p>
<p>Someone asked to reset the password of your account. To choose a new one, open: <a href="{{url link}}">{{url link}}</a></p>
<p>Or use this code on the reset page: {{token}}</p>
<p>The link works once and expires in {{expiresInMinutes}} minutes. If it was not you, ignore this email; your password stays as it is.</p>`,
  },
  password_changed: {
    subject: 'Your password was changed',
    text: `Hi {{firstName}},

The password of your account was just changed and every signed-in device was signed out.

If you did not do this, reset your password now and contact support.`,
    html: `<p>Hi {{firstName}},</p>
<p>The password of your account was just changed and every signed-in device was signed out.</p>
<p>If you did not do this, reset your password now and contact support.</p>`,
  },
  welcome: {
    subject: 'Welcome to Orderline',
    text: `Hi {{firstName}},

Thanks for creating an account. Once your email address is confirmed you can sign in, keep an address book and follow your orders.`,
    html: `<p>Hi {{firstName}},</p>
<p>Thanks for creating an account. Once your email address is confirmed you can sign in, keep an address book and follow your orders.</p>`,
  },
  order_confirmed: {
    subject: 'Your order {{shortId}} is confirmed',
    text: `Hi {{firstName}},

Thank you for your order {{orderId}}. Payment went through and we are preparing it.
{{#each items}}
- {{quantity}} × {{sku}}
{{/each}}
Total: {{money total}}

Follow it here: {{orderUrl}}`,
    html: `<p>Hi {{firstName}},</p>
<p>Thank you for your order <strong>{{orderId}}</strong>. Payment went through and we are preparing it.</p>
<ul>{{#each items}}<li>{{quantity}} × {{sku}}</li>{{/each}}</ul>
<p>Total: <strong>{{money total}}</strong></p>
<p><a href="{{url orderUrl}}">Follow your order</a></p>`,
  },
  order_shipped: {
    subject: 'Your order {{shortId}} is on its way',
    text: `Hi {{firstName}},

Your order {{orderId}} has shipped.
{{#each shipments}}
- {{carrier}}{{#if trackingNumber}}, tracking number {{trackingNumber}}{{/if}}: {{trackingUrl}}
{{/each}}`,
    html: `<p>Hi {{firstName}},</p>
<p>Your order <strong>{{orderId}}</strong> has shipped.</p>
<ul>{{#each shipments}}<li>{{carrier}}{{#if trackingNumber}}, tracking number {{trackingNumber}}{{/if}}: <a href="{{url trackingUrl}}">track the parcel</a></li>{{/each}}</ul>`,
  },
  order_delivered: {
    subject: 'Your order {{shortId}} was delivered',
    text: `Hi {{firstName}},

Your order {{orderId}} was delivered. We hope you enjoy it. If something is not right, you can ask for a return from your order page: {{orderUrl}}`,
    html: `<p>Hi {{firstName}},</p>
<p>Your order <strong>{{orderId}}</strong> was delivered. We hope you enjoy it.</p>
<p>If something is not right, you can ask for a return from <a href="{{url orderUrl}}">your order page</a>.</p>`,
  },
  order_cancelled: {
    subject: 'Your order {{shortId}} was cancelled',
    text: `Hi {{firstName}},

Your order {{orderId}} was cancelled{{#if reason}} ({{reason}}){{/if}}. Any payment taken is given back to the way you paid.`,
    html: `<p>Hi {{firstName}},</p>
<p>Your order <strong>{{orderId}}</strong> was cancelled{{#if reason}} ({{reason}}){{/if}}. Any payment taken is given back to the way you paid.</p>`,
  },
  refund_completed: {
    subject: 'Your refund of {{money amount}} is on its way',
    text: `Hi {{firstName}},

We refunded {{money amount}} for your order {{orderId}}{{#if fullyRefunded}} (the whole payment){{/if}}. Depending on your bank it shows on your statement within a few days.`,
    html: `<p>Hi {{firstName}},</p>
<p>We refunded <strong>{{money amount}}</strong> for your order <strong>{{orderId}}</strong>{{#if fullyRefunded}} (the whole payment){{/if}}.</p>
<p>Depending on your bank it shows on your statement within a few days.</p>`,
  },
  return_requested: {
    subject: 'We received your return request',
    text: `Hi {{firstName}},

We received your request to return items of order {{orderId}} (return {{returnId}}). We will let you know once it is reviewed.`,
    html: `<p>Hi {{firstName}},</p>
<p>We received your request to return items of order <strong>{{orderId}}</strong> (return {{returnId}}). We will let you know once it is reviewed.</p>`,
  },
  return_approved: {
    subject: 'Your return was approved',
    text: `Hi {{firstName}},

Your return {{returnId}} for order {{orderId}} was approved. Please send the items back; we refund them once they arrive.`,
    html: `<p>Hi {{firstName}},</p>
<p>Your return {{returnId}} for order <strong>{{orderId}}</strong> was approved. Please send the items back; we refund them once they arrive.</p>`,
  },
  return_rejected: {
    subject: 'Your return request was declined',
    text: `Hi {{firstName}},

We could not accept your return {{returnId}} for order {{orderId}}{{#if reason}}: {{reason}}{{/if}}. Contact support if you have questions.`,
    html: `<p>Hi {{firstName}},</p>
<p>We could not accept your return {{returnId}} for order <strong>{{orderId}}</strong>{{#if reason}}: {{reason}}{{/if}}.</p>
<p>Contact support if you have questions.</p>`,
  },
  return_received: {
    subject: 'We received your returned items',
    text: `Hi {{firstName}},

The items of your return {{returnId}} (order {{orderId}}) arrived. We refund {{money refund}}; you will get a separate message when the refund goes through.`,
    html: `<p>Hi {{firstName}},</p>
<p>The items of your return {{returnId}} (order <strong>{{orderId}}</strong>) arrived. We refund <strong>{{money refund}}</strong>; you will get a separate message when the refund goes through.</p>`,
  },
  review_invitation: {
    subject: 'How do you like your order {{shortId}}?',
    text: `Hi {{firstName}},

Your order {{orderId}} arrived. Other shoppers would love to hear what you think:
{{#each items}}
- {{sku}}: {{reviewUrl}}
{{/each}}
You get this message because you agreed to review requests; change that in your account preferences.`,
    html: `<p>Hi {{firstName}},</p>
<p>Your order <strong>{{orderId}}</strong> arrived. Other shoppers would love to hear what you think:</p>
<ul>{{#each items}}<li><a href="{{url reviewUrl}}">Review {{sku}}</a></li>{{/each}}</ul>
<p>You get this message because you agreed to review requests; change that in your account preferences.</p>`,
  },
  points_changed: {
    subject: 'Your points balance is now {{balance}}',
    text: `Hi {{firstName}},

{{#if gained}}You received {{change}} points{{else}}{{change}} points were taken from your account{{/if}} ({{reason}}){{#if shortId}} for order {{shortId}}{{/if}}. Your balance is now {{balance}} points.

You get this message because you agreed to marketing email; change that in your account preferences.`,
    html: `<p>Hi {{firstName}},</p>
<p>{{#if gained}}You received <strong>{{change}}</strong> points{{else}}<strong>{{change}}</strong> points were taken from your account{{/if}} ({{reason}}){{#if shortId}} for order <strong>{{shortId}}</strong>{{/if}}. Your balance is now <strong>{{balance}}</strong> points.</p>
<p>You get this message because you agreed to marketing email; change that in your account preferences.</p>`,
  },
  ops_stock_low: {
    subject: '[ops] Low stock: {{sku}}',
    text: 'Stock of {{sku}} in warehouse {{warehouseId}} is down to {{available}} available (threshold {{threshold}}).',
    html: '<p>Stock of <strong>{{sku}}</strong> in warehouse {{warehouseId}} is down to <strong>{{available}}</strong> available (threshold {{threshold}}).</p>',
  },
  ops_stock_reconciled: {
    subject: '[ops] Stock drift corrected: {{sku}}',
    text: 'Reconciliation corrected {{field}} of {{sku}} in warehouse {{warehouseId}} from {{before}} to {{after}}.',
    html: '<p>Reconciliation corrected <code>{{field}}</code> of <strong>{{sku}}</strong> in warehouse {{warehouseId}} from {{before}} to {{after}}.</p>',
  },
  ops_sla_breach: {
    subject: '[ops] Fulfillment SLA missed for order {{shortId}}',
    text: 'Fulfillment {{fulfillmentId}} of order {{orderId}} (warehouse {{warehouseId}}) should have shipped by {{shipBy}}.',
    html: '<p>Fulfillment {{fulfillmentId}} of order <strong>{{orderId}}</strong> (warehouse {{warehouseId}}) should have shipped by <strong>{{shipBy}}</strong>.</p>',
  },
  ops_shipment_manual: {
    subject: '[ops] Shipment needs manual handling (order {{shortId}})',
    text: 'The carrier {{carrier}} could not book shipment {{shipmentId}} of order {{orderId}} after its retries; it fell back to manual handling. Book it by hand and update its status (POST /admin/shipments/{{shipmentId}}/status).',
    html: '<p>The carrier <strong>{{carrier}}</strong> could not book shipment {{shipmentId}} of order <strong>{{orderId}}</strong> after its retries; it fell back to manual handling.</p><p>Book it by hand and update its status (<code>POST /admin/shipments/{{shipmentId}}/status</code>).</p>',
  },
  ops_compensation_failed: {
    subject: '[ops] Compensation {{status}}: {{service}} {{action}}',
    text: `A compensation of the {{service}} service failed and is {{status}} after {{attempts}} attempt(s).
Saga {{sagaType}} {{sagaId}}, step {{step}}, action {{action}}.
Last error: {{lastError}}
See GET /admin/compensations?service={{service}}.`,
    html: `<p>A compensation of the <strong>{{service}}</strong> service failed and is <strong>{{status}}</strong> after {{attempts}} attempt(s).</p>
<p>Saga {{sagaType}} {{sagaId}}, step {{step}}, action <code>{{action}}</code>.</p>
<p>Last error: <code>{{lastError}}</code></p>
<p>See <code>GET /admin/compensations?service={{service}}</code>.</p>`,
  },
  ops_dead_letters: {
    subject: '[ops] {{open}} open dead letter(s) in {{service}}',
    text: 'The {{service}} service has {{open}} open dead letter(s) (alert threshold {{threshold}}). Inspect and replay them: GET /admin/dlq?service={{service}}.',
    html: '<p>The <strong>{{service}}</strong> service has <strong>{{open}}</strong> open dead letter(s) (alert threshold {{threshold}}).</p><p>Inspect and replay them: <code>GET /admin/dlq?service={{service}}</code>.</p>',
  },
};
