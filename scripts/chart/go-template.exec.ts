import type { Operand, Pipeline, TemplateNode } from './go-template.parse.js';
import { TemplateError } from './go-template.parse.js';

/**
 * Executes parsed templates with Go's text/template semantics for the supported subset: Go's
 * truth (false, 0, nil, empty string, list or map are false), map ranges in key order, a field of
 * a missing map key is nil and prints as nothing (Helm's missingkey=zero), a field of nil is an
 * error (as in Helm: `nil pointer evaluating interface {}.x`).
 */

/** A function callable from templates; `lazy` ones receive thunks (and/or short-circuit). */
export type TemplateFunction = ((...args: unknown[]) => unknown) & { lazy?: boolean };

export interface Templates {
  defines: Map<string, TemplateNode[]>;
  functions: Record<string, TemplateFunction>;
}

type Scope = Map<string, unknown>[];

export function isTruthy(value: unknown): boolean {
  if (value === null || value === undefined || value === false || value === 0 || value === '') return false;
  if (Array.isArray(value)) return value.length > 0;
  if (typeof value === 'object') return Object.keys(value).length > 0;
  return true;
}

export const isMap = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Go's %v of a float64, the type of every number in Helm's values: the shortest digits, with an
 * exponent from 1e+06 on (Helm prints a value of 1000000 as `1e+06`; quote such settings).
 */
function goFloat(n: number): string {
  if (n === 0 || !Number.isFinite(n)) return String(n);
  const [mantissa, exponent] = n.toExponential().split('e') as [string, string];
  const exp = Number(exponent);
  if (exp < -4 || exp >= 6)
    return `${mantissa}e${exp < 0 ? '-' : '+'}${String(Math.abs(exp)).padStart(2, '0')}`;
  return String(n);
}

/** Go's fmt %v for the value kinds templates meet. */
export function goString(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return goFloat(value);
  if (typeof value === 'boolean') return String(value);
  if (Array.isArray(value)) return `[${value.map(goString).join(' ')}]`;
  if (isMap(value))
    return `map[${Object.keys(value)
      .sort()
      .map((k) => `${k}:${goString(value[k])}`)
      .join(' ')}]`;
  return String(value);
}

function field(value: unknown, chain: string[], where: string): unknown {
  let current = value;
  for (const name of chain) {
    if (current === null || current === undefined)
      throw new TemplateError(where, `nil pointer evaluating interface {}.${name}`);
    if (!isMap(current)) throw new TemplateError(where, `can't evaluate field ${name} in ${typeof current}`);
    current = current[name];
  }
  return current;
}

function lookup(scope: Scope, name: string, where: string): unknown {
  for (let i = scope.length - 1; i >= 0; i--) if (scope[i]!.has(name)) return scope[i]!.get(name);
  throw new TemplateError(where, `undefined variable: ${name}`);
}

export function execute(nodes: TemplateNode[], dot: unknown, templates: Templates): string {
  return run(nodes, dot, [new Map([['$', dot]])], templates);
}

function run(nodes: TemplateNode[], dot: unknown, scope: Scope, templates: Templates): string {
  let out = '';
  for (const node of nodes) {
    switch (node.t) {
      case 'text':
        out += node.value;
        break;
      case 'output': {
        const value = pipeline(node.pipe, dot, scope, templates);
        if (!node.pipe.decl) out += goString(value);
        break;
      }
      case 'if': {
        let done = false;
        for (const branch of node.branches) {
          const inner: Scope = [...scope, new Map()];
          if (isTruthy(pipeline(branch.pipe, dot, inner, templates))) {
            out += run(branch.body, dot, inner, templates);
            done = true;
            break;
          }
        }
        if (!done && node.otherwise) out += run(node.otherwise, dot, [...scope, new Map()], templates);
        break;
      }
      case 'with': {
        const inner: Scope = [...scope, new Map()];
        const value = pipeline(node.pipe, dot, inner, templates);
        if (isTruthy(value)) out += run(node.body, value, inner, templates);
        else if (node.otherwise) out += run(node.otherwise, dot, [...scope, new Map()], templates);
        break;
      }
      case 'range': {
        const vars = node.pipe.decl?.vars ?? [];
        const value = pipeline({ ...node.pipe, decl: undefined }, dot, scope, templates);
        const entries: [unknown, unknown][] = Array.isArray(value)
          ? value.map((v, i) => [i, v])
          : isMap(value)
            ? Object.keys(value)
                .sort()
                .map((k) => [k, value[k]])
            : value === null || value === undefined
              ? []
              : (() => {
                  throw new TemplateError(node.pipe.where, `range can't iterate over ${goString(value)}`);
                })();
        if (entries.length === 0) {
          if (node.otherwise) out += run(node.otherwise, dot, [...scope, new Map()], templates);
          break;
        }
        for (const [key, element] of entries) {
          const inner = new Map<string, unknown>();
          if (vars.length === 1) inner.set(vars[0]!, element);
          if (vars.length === 2) {
            inner.set(vars[0]!, key);
            inner.set(vars[1]!, element);
          }
          out += run(node.body, element, [...scope, inner], templates);
        }
        break;
      }
      case 'template':
        out += include(node.name, node.pipe ? pipeline(node.pipe, dot, scope, templates) : null, templates);
        break;
    }
  }
  return out;
}

export function include(name: string, dot: unknown, templates: Templates): string {
  const body = templates.defines.get(name);
  if (!body) throw new TemplateError(name, `no template "${name}" defined`);
  return execute(body, dot, templates);
}

function pipeline(pipe: Pipeline, dot: unknown, scope: Scope, templates: Templates): unknown {
  let value: unknown;
  let piped = false;
  for (const cmd of pipe.cmds) {
    value = command(cmd.args, piped ? [value] : [], dot, scope, templates, pipe.where);
    piped = true;
  }
  if (pipe.decl) {
    const [name] = pipe.decl.vars;
    if (pipe.decl.vars.length !== 1) throw new TemplateError(pipe.where, 'too many declarations');
    if (pipe.decl.assign) {
      const owner = [...scope].reverse().find((s) => s.has(name!));
      if (!owner) throw new TemplateError(pipe.where, `undefined variable: ${name}`);
      owner.set(name!, value);
    } else scope[scope.length - 1]!.set(name!, value);
  }
  return value;
}

function command(
  args: Operand[],
  piped: unknown[],
  dot: unknown,
  scope: Scope,
  templates: Templates,
  where: string,
): unknown {
  const [head, ...rest] = args;
  const evalArg = (op: Operand): unknown => operand(op, dot, scope, templates, where);
  if (head?.t === 'ident') {
    const fn = templates.functions[head.name];
    if (!fn) throw new TemplateError(where, `function "${head.name}" not defined`);
    try {
      if (fn.lazy) return fn(...rest.map((op) => () => evalArg(op)), ...piped.map((v) => () => v));
      return fn(...rest.map(evalArg), ...piped);
    } catch (err) {
      if (err instanceof TemplateError) throw err;
      throw new TemplateError(where, `error calling ${head.name}: ${(err as Error).message}`);
    }
  }
  const value = evalArg(head!);
  if (typeof value === 'function') return value(...rest.map(evalArg), ...piped);
  if (rest.length > 0 || piped.length > 0)
    throw new TemplateError(where, `can't give argument to non-function ${goString(value)}`);
  return value;
}

function operand(op: Operand, dot: unknown, scope: Scope, templates: Templates, where: string): unknown {
  switch (op.t) {
    case 'dot':
      return dot;
    case 'field':
      return field(dot, op.chain, where);
    case 'var':
      return field(lookup(scope, op.name, where), op.chain, where);
    case 'literal':
      return op.value;
    case 'sub':
      return field(pipeline(op.pipe, dot, [...scope, new Map()], templates), op.chain, where);
    case 'ident': {
      const fn = templates.functions[op.name];
      if (!fn) throw new TemplateError(where, `function "${op.name}" not defined`);
      return fn();
    }
  }
}
