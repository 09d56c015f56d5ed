/**
 * JSON for client-interface calls that keeps the types the interfaces use: bigint (money in
 * minor units), Date, Map and Set, and `undefined` (an absent result, an optional argument). Each
 * is written as a one-key tagged object (`{"$bigint":"1999"}`); a plain object whose only key
 * starts with `$` is escaped the same way, so decoding is exact for every value.
 */
type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

const TAGS = ['$bigint', '$date', '$map', '$set', '$undefined', '$object'] as const;

export function encode(value: unknown): Json {
  if (value === undefined) return { $undefined: true };
  if (value === null || typeof value === 'boolean' || typeof value === 'string') return value;
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new TypeError(`cannot send the number ${value}`);
    return value;
  }
  if (typeof value === 'bigint') return { $bigint: value.toString() };
  if (value instanceof Date) return { $date: value.toISOString() };
  if (value instanceof Map) return { $map: [...value].map(([k, v]) => [encode(k), encode(v)]) };
  if (value instanceof Set) return { $set: [...value].map(encode) };
  if (Array.isArray(value)) return value.map(encode);
  if (typeof value === 'object') {
    const out: Record<string, Json> = {};
    for (const [k, v] of Object.entries(value)) {
      // An absent optional member stays absent (as JSON.stringify leaves it out).
      if (v !== undefined && typeof v !== 'function') out[k] = encode(v);
    }
    const keys = Object.keys(out);
    return keys.length === 1 && keys[0]!.startsWith('$') ? { $object: out } : out;
  }
  throw new TypeError(`cannot send a ${typeof value}`);
}

export function decode(value: unknown): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map(decode);
  const record = value as Record<string, unknown>;
  const keys = Object.keys(record);
  if (keys.length === 1 && (TAGS as readonly string[]).includes(keys[0]!)) {
    const inner = record[keys[0]!];
    switch (keys[0]) {
      case '$bigint':
        return BigInt(inner as string);
      case '$date':
        return new Date(inner as string);
      case '$map':
        return new Map((inner as unknown[][]).map(([k, v]) => [decode(k), decode(v)]));
      case '$set':
        return new Set((inner as unknown[]).map(decode));
      case '$undefined':
        return undefined;
      case '$object':
        return decodeMembers(inner as Record<string, unknown>);
    }
  }
  return decodeMembers(record);
}

function decodeMembers(record: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(record)) out[k] = decode(v);
  return out;
}
