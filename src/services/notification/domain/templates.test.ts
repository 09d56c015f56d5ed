import { describe, expect, it } from 'vitest';
import { MESSAGE_TEMPLATES } from './message-types.js';
import { formatMoney, render, resolveLocale } from './templates.js';

const ANY = {
  firstName: '<b>Ann</b>',
  token: 'tok',
  link: 'http://shop.test/verify-email?token=tok&x=1',
  expiresInHours: 48,
  expiresInMinutes: 30,
  orderId: '0190a0b0-0000-7000-8000-000000000001',
  shortId: '0190A0B0',
  orderUrl: 'http://shop.test/orders/1',
  items: [{ sku: 'SKU-<1>', quantity: 2, reviewUrl: 'http://shop.test/p/1#reviews' }],
  total: { amount: '1999', currency: 'USD' },
  amount: { amount: '500', currency: 'EUR' },
  refund: { amount: '1', currency: 'JPY' },
  fullyRefunded: true,
  reason: 'a <reason>',
  returnId: 'r1',
  shipments: [{ carrier: 'simcarrier', trackingNumber: 'SIM1', trackingUrl: 'http://t.test/SIM1?a=1&b=2' }],
  sku: 'SKU-<1>',
  warehouseId: 'w1',
  available: 1,
  threshold: 5,
  field: 'reserved',
  before: 3,
  after: 2,
  fulfillmentId: 'f1',
  shipBy: '2026-01-01T00:00:00Z',
  shipmentId: 's1',
  carrier: 'simcarrier',
  service: 'order',
  sagaType: 'checkout',
  sagaId: 'x',
  step: 'reserve',
  action: 'warehouse.release',
  status: 'exhausted',
  attempts: 3,
  lastError: 'boom <x>',
  open: 4,
  balance: 120,
  gained: true,
  change: 20,
};

describe('email templates (Handlebars)', () => {
  it('renders every message type in every locale with a subject, plain text and escaped HTML', () => {
    for (const template of MESSAGE_TEMPLATES)
      for (const language of ['en', 'de', null]) {
        const out = render(template, ANY, language);
        expect(out.subject.length, template).toBeGreaterThan(5);
        expect(out.text).not.toContain('&lt;');
        expect(out.html).not.toMatch(/<b>|<reason>|<x>|SKU-<1>/);
        if (out.text.includes('<b>Ann</b>')) expect(out.html).toContain('&lt;b&gt;Ann&lt;/b&gt;');
      }
    expect(render('email_verification', ANY).html).toContain(
      'href="http://shop.test/verify-email?token=tok&amp;x=1"',
    );
    expect(render('order_shipped', ANY).text).toContain(
      'simcarrier, tracking number SIM1: http://t.test/SIM1?a=1&b=2',
    );
  });

  it('uses the customer locale, falls back to English', () => {
    expect(render('order_confirmed', ANY, 'de-AT')).toMatchObject({ locale: 'de' });
    expect(render('order_confirmed', ANY, 'de').subject).toBe('Ihre Bestellung 0190A0B0 ist bestätigt');
    expect(render('ops_stock_low', ANY, 'de').locale).toBe('en');
    expect(render('order_confirmed', ANY, 'fr').locale).toBe('en');
    expect(resolveLocale(undefined)).toBe('en');
  });

  it('fails on missing data instead of printing nothing, and refuses non-http links', () => {
    expect(() => render('order_cancelled', { firstName: 'A' })).toThrow();
    expect(() => render('order_delivered', { ...ANY, orderUrl: 'javascript:alert(1)' })).toThrow(/http/);
  });

  it('formats money exactly', () => {
    expect(formatMoney({ amount: '1999', currency: 'USD' })).toBe('19.99 USD');
    expect(formatMoney({ amount: '5', currency: 'EUR' })).toBe('0.05 EUR');
    expect(formatMoney({ amount: '1500', currency: 'JPY' })).toBe('1500 JPY');
    expect(formatMoney({ amount: '-120', currency: 'USD' })).toBe('-1.20 USD');
    expect(formatMoney({ amount: '92233720368547758', currency: 'USD' })).toBe('922337203685477.58 USD');
  });
});
