import { describe, expect, it } from 'vitest';
import {
  computeSignature,
  parseSignatureHeader,
  signWebhook,
  verifyWebhookSignature,
} from './webhook-signature.js';

const body = '{"id":"evt_1","type":"payment.captured"}';
const now = new Date('2025-03-01T12:00:00Z');
const t = Math.floor(now.getTime() / 1000);
const verify = (
  header: string | undefined,
  overrides: Partial<Parameters<typeof verifyWebhookSignature>[0]> = {},
) =>
  verifyWebhookSignature({
    rawBody: body,
    header,
    secrets: ['s_current', 's_old'],
    toleranceSeconds: 300,
    now,
    ...overrides,
  });

describe('webhook signatures (OR-P0-04)', () => {
  it('accepts a delivery signed with any configured secret', () => {
    expect(verify(signWebhook(body, 's_current', t))).toEqual({ timestamp: t });
    expect(verify(signWebhook(body, 's_old', t))).toEqual({ timestamp: t });
  });

  it('accepts several v1 values when one of them matches (rotation on the sender side)', () => {
    const good = computeSignature('s_current', t, body);
    expect(verify(`t=${t},v1=${'0'.repeat(64)},v1=${good}`)).toEqual({ timestamp: t });
  });

  it.each([
    ['missing header', undefined],
    ['empty header', ''],
    ['no timestamp', `v1=${computeSignature('s_current', t, body)}`],
    ['no v1', `t=${t}`],
    ['garbage', 'nonsense'],
    ['unknown secret', signWebhook(body, 's_other', t)],
    ['stale', signWebhook(body, 's_current', t - 301)],
    ['from the future', signWebhook(body, 's_current', t + 301)],
  ])('refuses %s with 401 invalid_signature', (_name, header) => {
    expect(() => verify(header)).toThrow(
      expect.objectContaining({ kind: 'unauthenticated', code: 'invalid_signature' }),
    );
  });

  it('refuses a body changed after signing, even by one byte', () => {
    const header = signWebhook(body, 's_current', t);
    expect(() => verify(header, { rawBody: `${body} ` })).toThrow(
      expect.objectContaining({ code: 'invalid_signature' }),
    );
  });

  it('accepts timestamps at the edge of the tolerance in both directions', () => {
    expect(verify(signWebhook(body, 's_current', t - 300))).toEqual({ timestamp: t - 300 });
    expect(verify(signWebhook(body, 's_current', t + 300))).toEqual({ timestamp: t + 300 });
  });

  it('refuses everything when no secret is configured', () => {
    expect(() => verify(signWebhook(body, 's_current', t), { secrets: [] })).toThrow(
      expect.objectContaining({ code: 'invalid_signature' }),
    );
  });

  it('parses the header, ignoring unknown schemes', () => {
    expect(parseSignatureHeader(`t=12,v0=abc,v1=${'a'.repeat(64)}`)).toEqual({
      timestamp: 12,
      signatures: ['a'.repeat(64)],
    });
    expect(parseSignatureHeader('t=1,t=2,v1=' + 'a'.repeat(64))).toBeUndefined();
  });
});
