import { describe, expect, it } from 'vitest';
import { TEMPLATES } from '../contract/client.js';
import { render } from './templates.js';

describe('email templates', () => {
  it('renders every template with a subject, text and escaped HTML', () => {
    const data = {
      firstName: '<b>Ann</b>',
      token: 'tok',
      link: 'http://shop.test/verify-email?token=tok&x=1',
      expiresInHours: 48,
      expiresInMinutes: 30,
    };
    for (const template of TEMPLATES) {
      const out = render(template, data as never);
      expect(out.subject.length).toBeGreaterThan(5);
      expect(out.text).toContain('<b>Ann</b>');
      expect(out.html).toContain('&lt;b&gt;Ann&lt;/b&gt;');
      expect(out.html).not.toContain('<b>');
    }
    expect(render('email_verification', data).html).toContain(
      'href="http://shop.test/verify-email?token=tok&amp;x=1"',
    );
  });
});
