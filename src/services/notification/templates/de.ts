import type { TemplateSources } from './sources.js';

/** German templates; a message type missing here falls back to English. */
export const de: Partial<TemplateSources> = {
  order_confirmed: {
    subject: 'Ihre Bestellung {{shortId}} ist bestätigt',
    text: `Hallo {{firstName}},

vielen Dank für Ihre Bestellung {{orderId}}. Die Zahlung ist eingegangen, wir bereiten den Versand vor.
{{#each items}}
- {{quantity}} × {{sku}}
{{/each}}
Summe: {{money total}}

Ihre Bestellung verfolgen: {{orderUrl}}`,
    html: `<p>Hallo {{firstName}},</p>
<p>vielen Dank für Ihre Bestellung <strong>{{orderId}}</strong>. Die Zahlung ist eingegangen, wir bereiten den Versand vor.</p>
<ul>{{#each items}}<li>{{quantity}} × {{sku}}</li>{{/each}}</ul>
<p>Summe: <strong>{{money total}}</strong></p>
<p><a href="{{url orderUrl}}">Bestellung verfolgen</a></p>`,
  },
  order_shipped: {
    subject: 'Ihre Bestellung {{shortId}} ist unterwegs',
    text: `Hallo {{firstName}},

Ihre Bestellung {{orderId}} wurde versandt.
{{#each shipments}}
- {{carrier}}{{#if trackingNumber}}, Sendungsnummer {{trackingNumber}}{{/if}}: {{trackingUrl}}
{{/each}}`,
    html: `<p>Hallo {{firstName}},</p>
<p>Ihre Bestellung <strong>{{orderId}}</strong> wurde versandt.</p>
<ul>{{#each shipments}}<li>{{carrier}}{{#if trackingNumber}}, Sendungsnummer {{trackingNumber}}{{/if}}: <a href="{{url trackingUrl}}">Sendung verfolgen</a></li>{{/each}}</ul>`,
  },
  order_delivered: {
    subject: 'Ihre Bestellung {{shortId}} wurde zugestellt',
    text: `Hallo {{firstName}},

Ihre Bestellung {{orderId}} wurde zugestellt. Wenn etwas nicht stimmt, können Sie auf der Bestellseite eine Rücksendung anfragen: {{orderUrl}}`,
    html: `<p>Hallo {{firstName}},</p>
<p>Ihre Bestellung <strong>{{orderId}}</strong> wurde zugestellt.</p>
<p>Wenn etwas nicht stimmt, können Sie auf <a href="{{url orderUrl}}">der Bestellseite</a> eine Rücksendung anfragen.</p>`,
  },
  order_cancelled: {
    subject: 'Ihre Bestellung {{shortId}} wurde storniert',
    text: `Hallo {{firstName}},

Ihre Bestellung {{orderId}} wurde storniert{{#if reason}} ({{reason}}){{/if}}. Bereits gezahlte Beträge erhalten Sie auf dem Zahlungsweg zurück.`,
    html: `<p>Hallo {{firstName}},</p>
<p>Ihre Bestellung <strong>{{orderId}}</strong> wurde storniert{{#if reason}} ({{reason}}){{/if}}. Bereits gezahlte Beträge erhalten Sie auf dem Zahlungsweg zurück.</p>`,
  },
  refund_completed: {
    subject: 'Ihre Erstattung über {{money amount}} ist unterwegs',
    text: `Hallo {{firstName}},

wir haben {{money amount}} für Ihre Bestellung {{orderId}} erstattet{{#if fullyRefunded}} (die gesamte Zahlung){{/if}}.`,
    html: `<p>Hallo {{firstName}},</p>
<p>wir haben <strong>{{money amount}}</strong> für Ihre Bestellung <strong>{{orderId}}</strong> erstattet{{#if fullyRefunded}} (die gesamte Zahlung){{/if}}.</p>`,
  },
  return_requested: {
    subject: 'Ihre Rücksendeanfrage ist eingegangen',
    text: `Hallo {{firstName}},

Ihre Rücksendeanfrage {{returnId}} zur Bestellung {{orderId}} ist eingegangen. Wir melden uns nach der Prüfung.`,
    html: `<p>Hallo {{firstName}},</p>
<p>Ihre Rücksendeanfrage {{returnId}} zur Bestellung <strong>{{orderId}}</strong> ist eingegangen. Wir melden uns nach der Prüfung.</p>`,
  },
  return_approved: {
    subject: 'Ihre Rücksendung wurde genehmigt',
    text: `Hallo {{firstName}},

Ihre Rücksendung {{returnId}} zur Bestellung {{orderId}} wurde genehmigt. Bitte senden Sie die Artikel zurück.`,
    html: `<p>Hallo {{firstName}},</p>
<p>Ihre Rücksendung {{returnId}} zur Bestellung <strong>{{orderId}}</strong> wurde genehmigt. Bitte senden Sie die Artikel zurück.</p>`,
  },
  return_rejected: {
    subject: 'Ihre Rücksendeanfrage wurde abgelehnt',
    text: `Hallo {{firstName}},

Ihre Rücksendung {{returnId}} zur Bestellung {{orderId}} konnten wir nicht annehmen{{#if reason}}: {{reason}}{{/if}}.`,
    html: `<p>Hallo {{firstName}},</p>
<p>Ihre Rücksendung {{returnId}} zur Bestellung <strong>{{orderId}}</strong> konnten wir nicht annehmen{{#if reason}}: {{reason}}{{/if}}.</p>`,
  },
  return_received: {
    subject: 'Ihre Rücksendung ist eingetroffen',
    text: `Hallo {{firstName}},

die Artikel Ihrer Rücksendung {{returnId}} (Bestellung {{orderId}}) sind eingetroffen. Wir erstatten {{money refund}}.`,
    html: `<p>Hallo {{firstName}},</p>
<p>die Artikel Ihrer Rücksendung {{returnId}} (Bestellung <strong>{{orderId}}</strong>) sind eingetroffen. Wir erstatten <strong>{{money refund}}</strong>.</p>`,
  },
};
