import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger } from './logger.js';

/** G10: credentials, tokens and personal data never reach a log line. */
describe('logger redaction', () => {
  it('censors secrets and PII at the top level, one level down and in request headers', () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk, _encoding, done) {
        lines.push(String(chunk));
        done();
      },
    });
    const logger = createLogger({ level: 'info', service: 'test', destination: sink });
    logger.info(
      {
        password: 'hunter2-hunter2',
        refreshToken: 'rt_secret',
        email: 'grace@example.com',
        customer: { email: 'ada@example.com', phone: '+4930123456', address: { line1: '1 Main St' } },
        body: { newPassword: 'n3w-secret-pass', token: 'tok_visa' },
        req: { headers: { authorization: 'Bearer eyJsecret', 'x-cart-token': 'cart-secret' } },
        orderId: '01900000-0000-7000-8000-000000000001',
      },
      'something happened',
    );
    expect(lines).toHaveLength(1);
    const line = lines[0]!;
    for (const secret of [
      'hunter2-hunter2',
      'rt_secret',
      'grace@example.com',
      'ada@example.com',
      '+4930123456',
      '1 Main St',
      'n3w-secret-pass',
      'tok_visa',
      'eyJsecret',
      'cart-secret',
    ])
      expect(line, secret).not.toContain(secret);
    const parsed = JSON.parse(line);
    expect(parsed.password).toBe('[redacted]');
    expect(parsed.orderId).toBe('01900000-0000-7000-8000-000000000001');
    expect(parsed.service).toBe('test');
  });
});
