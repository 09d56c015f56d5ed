import { describe, expect, it } from 'vitest';
import {
  computeSignature,
  parseSignatureHeader,
  SIGNATURE_HEADER,
  secretsOrGenerated,
  signedDelivery,
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

describe('simulated senders', () => {
  it('sign with the first secret, verifiable by every receiver holding any of them', () => {
    const d = signedDelivery('simcarrier', ['new', 'old'], body, now);
    expect(d.body).toBe(body);
    expect(verify(d.headers[SIGNATURE_HEADER], { secrets: ['old', 'new'] })).toEqual({ timestamp: t });
    expect(() => verify(d.headers[SIGNATURE_HEADER], { secrets: ['old'] })).toThrow();
    expect(() => signedDelivery('simcarrier', [], body, now)).toThrow(/simcarrier has no signing secret/);
  });

  it('keep configured secrets, or generate one per process and log only its fingerprint', () => {
    const logged: { obj: object; msg: string }[] = [];
    const logger = { warn: (obj: object, msg: string) => void logged.push({ obj, msg }) };
    expect(secretsOrGenerated(['a', 'b'], 'X_SECRETS', logger)).toEqual(['a', 'b']);
    expect(logged).toEqual([]);
    const [generated, ...rest] = secretsOrGenerated([], 'X_SECRETS', logger);
    expect(rest).toEqual([]);
    expect(generated).toMatch(/^whsec_[0-9a-f]{48}$/);
    expect(secretsOrGenerated([], 'X_SECRETS', logger)[0]).not.toBe(generated);
    expect(logged[0]!.msg).toContain('X_SECRETS is empty');
    expect(JSON.stringify(logged)).not.toContain(generated!);
  });
});
