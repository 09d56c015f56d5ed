import { describe, expect, it } from 'vitest';
import { deterministicEventId } from './event-id.js';
import { createPiiMasker, initial, maskIp, stripUrl } from './pii.js';

describe('PII masking (Fix 1)', () => {
  const pii = createPiiMasker('k'.repeat(32));

  it('zeroes the last IPv4 octet and the last 80 bits of IPv6', () => {
    expect(maskIp('192.168.1.42')).toBe('192.168.1.0');
    expect(maskIp('::ffff:10.1.2.3')).toBe('10.1.2.0');
    expect(maskIp('2001:db8:85a3:1234:5678:8a2e:370:7334')).toBe('2001:db8:85a3::');
    expect(maskIp('2001:db8::1')).toBe('2001:db8::');
    expect(maskIp('not an ip')).toBeNull();
  });

  it('hashes emails keeping the domain, user agents and ids with the key; names to an initial', () => {
    const e = pii.email('Ada@Example.org')!;
    expect(e).toMatch(/^[0-9a-f]{16}@example\.org$/);
    expect(pii.email('ada@example.org')).toBe(e);
    expect(createPiiMasker('o'.repeat(32)).email('ada@example.org')).not.toBe(e);
    expect(pii.userAgent('Mozilla/5.0')).toMatch(/^ua_[0-9a-f]{32}$/);
    expect(pii.customerKey('0190a0f4-7b7a-7cc1-9a55-3c1f8a0f4d11')).toMatch(/^c_[0-9a-f]{32}$/);
    expect(initial('  élodie')).toBe('É.');
    expect(initial('')).toBeNull();
  });

  it('drops query strings and fragments from URLs', () => {
    expect(stripUrl('https://u:p@shop.example/a/b?email=x@y.z#t')).toBe('https://shop.example/a/b');
    expect(stripUrl('/cart?token=1')).toBe('/cart');
    expect(stripUrl('javascript-ish')).toBeNull();
  });

  it('derives the same id from the same content, whatever the key order', () => {
    const a = deterministicEventId({ type: 'page_view', sessionId: 's', occurredAt: 't' });
    expect(deterministicEventId({ occurredAt: 't', sessionId: 's', type: 'page_view' })).toBe(a);
    expect(deterministicEventId({ occurredAt: 't', sessionId: 'other', type: 'page_view' })).not.toBe(a);
    expect(a).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });
});
