import { createHash, createHmac } from 'node:crypto';
import { isIP } from 'node:net';

/**
 * PII masking before anything is stored (G10; seed 003 Fix 1, SG-1..SG-4). Pure functions; the
 * hashes are HMAC-SHA256 under ANALYTICS_PII_HASH_KEY, so a stored hash cannot be reversed by
 * hashing a dictionary of emails or ids without the key.
 */
export interface PiiMasker {
  /** IPv4 with the last octet zeroed, IPv6 with the last 80 bits zeroed; null when not an IP. */
  ip(raw: string | undefined | null): string | null;
  userAgent(raw: string | undefined | null): string | null;
  /** `<hash of the local part>@domain` (the domain stays for grouping). */
  email(raw: string | undefined | null): string | null;
  /** A name reduced to its initial (`Ada` → `A.`). */
  name(raw: string | undefined | null): string | null;
  /** The unlinkable analytics key of a customer id. */
  customerKey(customerId: string | null | undefined): string | null;
  /** A URL without query string, fragment or credentials (they often carry emails or tokens). */
  url(raw: string | undefined | null): string | null;
}

export function maskIp(raw: string | undefined | null): string | null {
  if (!raw) return null;
  let ip = raw.trim();
  // IPv4-mapped IPv6 (::ffff:1.2.3.4) is an IPv4 address.
  if (/^::ffff:\d+\.\d+\.\d+\.\d+$/i.test(ip)) ip = ip.slice(7);
  const kind = isIP(ip);
  if (kind === 4) return `${ip.split('.').slice(0, 3).join('.')}.0`;
  if (kind === 6) {
    const groups = expandIpv6(ip);
    // Keep the first 48 bits (3 groups), zero the last 80.
    return compressIpv6([...groups.slice(0, 3), 0, 0, 0, 0, 0]);
  }
  return null;
}

function expandIpv6(ip: string): number[] {
  let address = ip.split('%')[0]!;
  // A trailing embedded IPv4 becomes two groups.
  const v4 = address.match(/(\d+)\.(\d+)\.(\d+)\.(\d+)$/);
  if (v4) {
    const [a, b, c, d] = v4.slice(1).map(Number) as [number, number, number, number];
    address = `${address.slice(0, v4.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head, tail] = address.split('::') as [string, string | undefined];
  const parse = (s: string) => (s === '' ? [] : s.split(':').map((g) => Number.parseInt(g, 16)));
  const left = parse(head);
  const right = tail === undefined ? [] : parse(tail);
  const fill = new Array(8 - left.length - right.length).fill(0);
  return [...left, ...fill, ...right];
}

function compressIpv6(groups: number[]): string {
  // Longest run of zeros → "::" (RFC 5952).
  let best = { start: -1, length: 0 };
  for (let i = 0; i < groups.length; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < groups.length && groups[j] === 0) j++;
    if (j - i > best.length && j - i > 1) best = { start: i, length: j - i };
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (best.start < 0) return hex.join(':');
  const left = hex.slice(0, best.start).join(':');
  const right = hex.slice(best.start + best.length).join(':');
  return `${left}::${right}`;
}

export function initial(raw: string | undefined | null): string | null {
  const first = raw?.trim().match(/^\p{L}/u)?.[0];
  return first ? `${first.toUpperCase()}.` : null;
}

export function stripUrl(raw: string | undefined | null): string | null {
  if (!raw) return null;
  if (URL.canParse(raw)) {
    const u = new URL(raw);
    return `${u.protocol}//${u.host}${u.pathname}`;
  }
  // A relative URL (a path): keep the path only.
  const path = raw.split(/[?#]/)[0]!;
  return path.startsWith('/') ? path : null;
}

export function createPiiMasker(key: string): PiiMasker {
  const hmac = (purpose: string, value: string) =>
    createHmac('sha256', key).update(`${purpose}\u0000${value}`).digest('hex');
  return {
    ip: maskIp,
    userAgent: (raw) => (raw ? `ua_${hmac('ua', raw).slice(0, 32)}` : null),
    email: (raw) => {
      if (!raw) return null;
      const at = raw.lastIndexOf('@');
      const normalized = raw.trim().toLowerCase();
      if (at <= 0) return `e_${hmac('email', normalized).slice(0, 16)}`;
      const domain = normalized.slice(normalized.lastIndexOf('@') + 1);
      return `${hmac('email', normalized).slice(0, 16)}@${domain}`;
    },
    name: initial,
    customerKey: (id) => (id ? `c_${hmac('customer', id.toLowerCase()).slice(0, 32)}` : null),
    url: stripUrl,
  };
}

/** A stable, non-secret fingerprint (for deterministic ids of events that came without one). */
export const sha256 = (s: string): string => createHash('sha256').update(s).digest('hex');
