import { createHash } from 'node:crypto';
import { parse, stringify } from 'yaml';
import { goString, isMap, isTruthy, type TemplateFunction } from './go-template.exec.js';

/**
 * Go's built-in template functions and the Sprig/Helm functions the chart uses, with their Go
 * behaviour (argument order puts the piped value last: `"x" | trimSuffix "-"`). `include` is added
 * by the renderer, which knows the templates.
 */

const lazy = (fn: (...thunks: (() => unknown)[]) => unknown): TemplateFunction =>
  Object.assign(fn as TemplateFunction, { lazy: true });

const str = (v: unknown): string => goString(v);

/** Sorted keys, as Go's encoders write maps. */
function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (isMap(value))
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .map((k) => [k, sortKeys(value[k])]),
    );
  return value;
}

function indent(spaces: unknown, text: unknown): string {
  const pad = ' '.repeat(Number(spaces));
  return pad + str(text).replaceAll('\n', `\n${pad}`);
}

/** Go's fmt verbs the chart may use: %s %d %v %q %%. */
function printf(format: unknown, ...args: unknown[]): string {
  let i = 0;
  return str(format).replace(/%([sdvq%])/g, (_m, verb: string) => {
    if (verb === '%') return '%';
    if (i >= args.length) return `%!${verb}(MISSING)`;
    const arg = args[i++];
    if (verb === 'q') return JSON.stringify(str(arg));
    if (verb === 'd') return String(Math.trunc(Number(arg)));
    return str(arg);
  });
}

function compare(a: unknown, b: unknown): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  if (typeof a === 'string' && typeof b === 'string') return a < b ? -1 : a > b ? 1 : 0;
  throw new Error(`incompatible types for comparison: ${typeof a} and ${typeof b}`);
}

/** Parsed YAML by text: the chart reads the same include back once per template. */
const parsedYaml = new Map<string, unknown>();
function readYaml(text: string): unknown {
  if (!parsedYaml.has(text)) {
    if (parsedYaml.size > 1000) parsedYaml.clear();
    parsedYaml.set(text, parse(text) ?? {});
  }
  return parsedYaml.get(text);
}

export const helmFunctions: Record<string, TemplateFunction> = {
  // Go built-ins.
  and: lazy((...args) => {
    let value: unknown;
    for (const arg of args) {
      value = arg();
      if (!isTruthy(value)) return value;
    }
    return value;
  }),
  or: lazy((...args) => {
    let value: unknown;
    for (const arg of args) {
      value = arg();
      if (isTruthy(value)) return value;
    }
    return value;
  }),
  not: (v) => !isTruthy(v),
  eq: (a, ...rest) => rest.some((b) => a === b),
  ne: (a, b) => a !== b,
  lt: (a, b) => compare(a, b) < 0,
  le: (a, b) => compare(a, b) <= 0,
  gt: (a, b) => compare(a, b) > 0,
  ge: (a, b) => compare(a, b) >= 0,
  len: (v) => {
    if (typeof v === 'string' || Array.isArray(v)) return v.length;
    if (isMap(v)) return Object.keys(v).length;
    throw new Error(`len of ${typeof v}`);
  },
  index: (v, ...keys) => {
    let current = v;
    for (const key of keys) {
      if (current === null || current === undefined) throw new Error('index of untyped nil');
      current = (current as Record<string, unknown>)[key as string];
    }
    return current;
  },
  print: (...args) =>
    args
      .map((a, i) => (i > 0 && typeof a !== 'string' && typeof args[i - 1] !== 'string' ? ' ' : '') + str(a))
      .join(''),
  printf,
  // Sprig.
  default: (fallback, value) => (isTruthy(value) ? value : fallback),
  empty: (v) => !isTruthy(v),
  coalesce: (...args) => args.find(isTruthy),
  ternary: (yes, no, condition) => (isTruthy(condition) ? yes : no),
  quote: (...args) =>
    args
      .filter((a) => a !== null && a !== undefined)
      .map((a) => JSON.stringify(str(a)))
      .join(' '),
  toString: (v: unknown) => str(v),
  int: (v) => Math.trunc(Number(v)),
  upper: (s) => str(s).toUpperCase(),
  lower: (s) => str(s).toLowerCase(),
  replace: (from, to, s) => str(s).replaceAll(str(from), str(to)),
  trunc: (n, s) => {
    const text = str(s);
    const count = Number(n);
    return count >= 0 ? text.slice(0, count) : text.slice(Math.max(0, text.length + count));
  },
  trimSuffix: (suffix, s) =>
    str(s).endsWith(str(suffix)) ? str(s).slice(0, -str(suffix).length || undefined) : str(s),
  trimPrefix: (prefix, s) => (str(s).startsWith(str(prefix)) ? str(s).slice(str(prefix).length) : str(s)),
  contains: (needle, s) => str(s).includes(str(needle)),
  hasPrefix: (prefix, s) => str(s).startsWith(str(prefix)),
  hasSuffix: (suffix, s) => str(s).endsWith(str(suffix)),
  has: (needle, list) => Array.isArray(list) && list.includes(needle),
  join: (sep, list) => (Array.isArray(list) ? list.map(str).join(str(sep)) : str(list)),
  indent,
  nindent: (spaces, text) => `\n${indent(spaces, text)}`,
  dict: (...kv) => {
    const out: Record<string, unknown> = {};
    for (let i = 0; i < kv.length; i += 2) out[str(kv[i])] = kv[i + 1];
    return out;
  },
  list: (...items) => items,
  set: (map, key, value) => {
    if (!isMap(map)) throw new Error('set needs a dict');
    map[str(key)] = value;
    return map;
  },
  hasKey: (map, key) => isMap(map) && Object.hasOwn(map, str(key)),
  keys: (...maps) => maps.flatMap((m) => (isMap(m) ? Object.keys(m) : [])).sort(),
  sha256sum: (s) => createHash('sha256').update(str(s)).digest('hex'),
  required: (message, value) => {
    if (value === null || value === undefined || value === '') throw new Error(str(message));
    return value;
  },
  fail: (message) => {
    throw new Error(str(message));
  },
  // Helm.
  toYaml: (v) => stringify(sortKeys(v ?? null), { lineWidth: 0 }).replace(/\n$/, ''),
  fromYaml: (s) => structuredClone(readYaml(str(s))),
  toJson: (v) => JSON.stringify(sortKeys(v ?? null)),
};
