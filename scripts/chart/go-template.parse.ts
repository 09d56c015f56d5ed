/**
 * Parser for the subset of Go's text/template that the Helm chart in deploy/helm uses, so CI can
 * render the chart without the helm binary (none is packaged for npm or Debian). Semantics follow
 * Go's: `{{-`/`-}}` trim the white space beside an action, pipelines pass their value as the last
 * argument, `and`/`or` short-circuit, variables are scoped to their control structure. Anything
 * outside the subset is a parse error naming the file and line, never a silent difference.
 */

export type Operand =
  | { t: 'dot' }
  | { t: 'field'; chain: string[] }
  | { t: 'var'; name: string; chain: string[] }
  | { t: 'ident'; name: string }
  | { t: 'literal'; value: unknown }
  | { t: 'sub'; pipe: Pipeline; chain: string[] };

export interface Command {
  args: Operand[];
}

export interface Pipeline {
  decl?: { vars: string[]; assign: boolean };
  cmds: Command[];
  where: string;
}

export type TemplateNode =
  | { t: 'text'; value: string }
  | { t: 'output'; pipe: Pipeline }
  | { t: 'if'; branches: { pipe: Pipeline; body: TemplateNode[] }[]; otherwise?: TemplateNode[] }
  | { t: 'range'; pipe: Pipeline; body: TemplateNode[]; otherwise?: TemplateNode[] }
  | { t: 'with'; pipe: Pipeline; body: TemplateNode[]; otherwise?: TemplateNode[] }
  | { t: 'template'; name: string; pipe?: Pipeline; where: string };

export class TemplateError extends Error {
  constructor(where: string, message: string) {
    super(`${where}: ${message}`);
    this.name = 'TemplateError';
  }
}

type Tok =
  | { k: 'field'; chain: string[]; space: boolean }
  | { k: 'var'; name: string; chain: string[]; space: boolean }
  | { k: 'dot'; space: boolean }
  | { k: 'ident'; name: string; space: boolean }
  | { k: 'literal'; value: unknown; space: boolean }
  | { k: '(' | ')' | '|' | ':=' | '=' | ','; space: boolean };

interface Action {
  toks: Tok[];
  where: string;
}

type Item = { kind: 'text'; value: string } | { kind: 'action'; action: Action };

const IDENT = /^[A-Za-z_][A-Za-z0-9_]*/;
const CHAIN = /^(\.[A-Za-z_][A-Za-z0-9_]*)+/;
const NUMBER = /^-?(0x[0-9a-fA-F]+|\d+(\.\d+)?([eE][-+]?\d+)?)/;

/** The token at `p` inside an action, and its length. */
function actionToken(src: string, p: number, space: boolean, where: string): [Tok, number] {
  const rest = src.slice(p);
  const c = src[p]!;
  if (c === '"') {
    const m = rest.match(/^"(\\.|[^"\\\n])*"/);
    if (!m) throw new TemplateError(where, 'unterminated string');
    return [{ k: 'literal', value: JSON.parse(m[0]), space }, m[0].length];
  }
  if (c === '`') {
    const end = src.indexOf('`', p + 1);
    if (end < 0) throw new TemplateError(where, 'unterminated raw string');
    return [{ k: 'literal', value: src.slice(p + 1, end), space }, end + 1 - p];
  }
  if (c === '$') {
    const m = rest.match(/^\$([A-Za-z0-9_]*)((\.[A-Za-z_][A-Za-z0-9_]*)*)/)!;
    return [{ k: 'var', name: `$${m[1]}`, chain: m[2] ? m[2].slice(1).split('.') : [], space }, m[0].length];
  }
  const chain = rest.match(CHAIN);
  if (chain) return [{ k: 'field', chain: chain[0].slice(1).split('.'), space }, chain[0].length];
  if (c === '.') return [{ k: 'dot', space }, 1];
  const number = rest.match(NUMBER);
  if (number) return [{ k: 'literal', value: Number(number[0]), space }, number[0].length];
  const ident = rest.match(IDENT);
  if (ident) {
    const word = ident[0];
    if (word === 'true' || word === 'false')
      return [{ k: 'literal', value: word === 'true', space }, word.length];
    if (word === 'nil') return [{ k: 'literal', value: null, space }, word.length];
    return [{ k: 'ident', name: word, space }, word.length];
  }
  const punct = rest.match(/^(:=|[()|=,])/);
  if (punct) return [{ k: punct[0] as ':=' | '(' | ')' | '|' | '=' | ',', space }, punct[0].length];
  throw new TemplateError(where, `unexpected character ${JSON.stringify(c)} in action`);
}

/** Splits the source into text and actions, applying the trim markers. */
function lex(src: string, file: string): Item[] {
  const items: Item[] = [];
  let i = 0;
  let trimNext = false;
  const lineAt = (pos: number) => `${file}:${src.slice(0, pos).split('\n').length}`;
  while (i < src.length) {
    const open = src.indexOf('{{', i);
    let text = src.slice(i, open < 0 ? src.length : open);
    if (trimNext) text = text.replace(/^\s+/, '');
    trimNext = false;
    if (open < 0) {
      if (text) items.push({ kind: 'text', value: text });
      break;
    }
    let p = open + 2;
    if (src[p] === '-' && /\s/.test(src[p + 1] ?? '')) {
      text = text.replace(/\s+$/, '');
      p++;
    }
    if (text) items.push({ kind: 'text', value: text });
    const where = lineAt(open);
    const rest = src.slice(p).match(/^\s*\/\*/);
    if (rest) {
      const end = src.indexOf('*/', p);
      if (end < 0) throw new TemplateError(where, 'unclosed comment');
      const close = src.slice(end + 2).match(/^(\s+-)?\}\}/);
      if (!close) throw new TemplateError(where, 'comment must end the action');
      trimNext = Boolean(close[1]);
      i = end + 2 + close[0].length;
      continue;
    }
    const toks: Tok[] = [];
    for (;;) {
      const before = p;
      while (/\s/.test(src[p] ?? '')) p++;
      const space = p > before;
      if (p >= src.length) throw new TemplateError(where, 'unclosed action');
      if (src.startsWith('}}', p)) {
        p += 2;
        break;
      }
      if (space && src[p] === '-' && src.startsWith('}}', p + 1)) {
        trimNext = true;
        p += 3;
        break;
      }
      const [tok, length] = actionToken(src, p, space, where);
      toks.push(tok);
      p += length;
    }
    items.push({ kind: 'action', action: { toks, where } });
    i = p;
  }
  return items;
}

/** Parses one pipeline from `toks[start..]`; stops at `)` (sub-pipelines) or the end. */
function parsePipeline(toks: Tok[], where: string, start = 0): { pipe: Pipeline; next: number } {
  let i = start;
  let decl: Pipeline['decl'];
  // `$a := …`, `$a = …`, `$i, $v := …` (the last only in range).
  const vars: string[] = [];
  let j = i;
  while (toks[j]?.k === 'var' && (toks[j] as { chain: string[] }).chain.length === 0) {
    vars.push((toks[j] as { name: string }).name);
    if (toks[j + 1]?.k === ',') j += 2;
    else {
      j++;
      break;
    }
  }
  if (vars.length > 0 && (toks[j]?.k === ':=' || toks[j]?.k === '=')) {
    decl = { vars, assign: toks[j]!.k === '=' };
    i = j + 1;
  }
  const cmds: Command[] = [];
  let args: Operand[] = [];
  for (;;) {
    const tok = toks[i];
    if (!tok || tok.k === ')') break;
    i++;
    if (tok.k === '|') {
      if (args.length === 0) throw new TemplateError(where, 'missing command before |');
      cmds.push({ args });
      args = [];
      continue;
    }
    if (tok.k === '(') {
      const sub = parsePipeline(toks, where, i);
      if (toks[sub.next]?.k !== ')') throw new TemplateError(where, 'unclosed (');
      i = sub.next + 1;
      let chain: string[] = [];
      const after = toks[i];
      if (after?.k === 'field' && !after.space) {
        chain = after.chain;
        i++;
      }
      args.push({ t: 'sub', pipe: sub.pipe, chain });
      continue;
    }
    switch (tok.k) {
      case 'dot':
        args.push({ t: 'dot' });
        break;
      case 'field':
        args.push({ t: 'field', chain: tok.chain });
        break;
      case 'var':
        args.push({ t: 'var', name: tok.name, chain: tok.chain });
        break;
      case 'ident':
        args.push({ t: 'ident', name: tok.name });
        break;
      case 'literal':
        args.push({ t: 'literal', value: tok.value });
        break;
      default:
        throw new TemplateError(where, `unexpected ${tok.k}`);
    }
  }
  if (args.length > 0) cmds.push({ args });
  if (cmds.length === 0) throw new TemplateError(where, 'missing value');
  return { pipe: { ...(decl ? { decl } : {}), cmds, where }, next: i };
}

function wholePipeline(toks: Tok[], where: string): Pipeline {
  const { pipe, next } = parsePipeline(toks, where);
  if (next !== toks.length) throw new TemplateError(where, 'unexpected )');
  return pipe;
}

export interface ParsedFile {
  body: TemplateNode[];
  defines: Map<string, TemplateNode[]>;
}

/** Parses a template file into its body and the templates it `define`s. */
export function parseTemplate(src: string, file: string): ParsedFile {
  const items = lex(src, file);
  const defines = new Map<string, TemplateNode[]>();
  let pos = 0;

  type Stop = 'end' | 'else' | 'eof';
  const parseList = (): { nodes: TemplateNode[]; stop: Stop; action?: Action } => {
    const nodes: TemplateNode[] = [];
    while (pos < items.length) {
      const item = items[pos++]!;
      if (item.kind === 'text') {
        nodes.push({ t: 'text', value: item.value });
        continue;
      }
      const { toks, where } = item.action;
      const head = toks[0];
      const keyword = head?.k === 'ident' ? head.name : undefined;
      if (keyword === 'end') return { nodes, stop: 'end' };
      if (keyword === 'else') return { nodes, stop: 'else', action: item.action };
      if (keyword === 'if' || keyword === 'with' || keyword === 'range') {
        const pipe = wholePipeline(toks.slice(1), where);
        const branches = [{ pipe, body: [] as TemplateNode[] }];
        let otherwise: TemplateNode[] | undefined;
        for (;;) {
          const part = parseList();
          if (part.stop === 'eof') throw new TemplateError(where, `{{${keyword}}} without {{end}}`);
          if (otherwise) otherwise = part.nodes;
          else branches[branches.length - 1]!.body = part.nodes;
          if (part.stop === 'end') break;
          const elseToks = part.action!.toks.slice(1);
          if (otherwise) throw new TemplateError(part.action!.where, '{{else}} after {{else}}');
          const chained = elseToks[0];
          if (chained?.k === 'ident' && chained.name === 'if' && keyword === 'if') {
            branches.push({ pipe: wholePipeline(elseToks.slice(1), part.action!.where), body: [] });
          } else if (elseToks.length === 0) {
            otherwise = [];
          } else {
            throw new TemplateError(part.action!.where, `unsupported {{else ${keyword}}}`);
          }
        }
        if (keyword === 'if') nodes.push({ t: 'if', branches, ...(otherwise ? { otherwise } : {}) });
        else {
          if (branches.length > 1) throw new TemplateError(where, `else if inside ${keyword}`);
          nodes.push({ t: keyword, pipe, body: branches[0]!.body, ...(otherwise ? { otherwise } : {}) });
        }
        continue;
      }
      if (keyword === 'define') {
        const name = toks[1];
        if (toks.length !== 2 || name?.k !== 'literal' || typeof name.value !== 'string')
          throw new TemplateError(where, 'define takes one template name');
        const part = parseList();
        if (part.stop !== 'end') throw new TemplateError(where, `define ${name.value} without {{end}}`);
        defines.set(name.value, part.nodes);
        continue;
      }
      if (keyword === 'template') {
        const name = toks[1];
        if (name?.k !== 'literal' || typeof name.value !== 'string')
          throw new TemplateError(where, 'template takes a template name');
        const pipe = toks.length > 2 ? wholePipeline(toks.slice(2), where) : undefined;
        nodes.push({ t: 'template', name: name.value, ...(pipe ? { pipe } : {}), where });
        continue;
      }
      if (keyword === 'block' || keyword === 'break' || keyword === 'continue')
        throw new TemplateError(where, `{{${keyword}}} is outside the supported subset`);
      nodes.push({ t: 'output', pipe: wholePipeline(toks, where) });
    }
    return { nodes, stop: 'eof' };
  };

  const top = parseList();
  if (top.stop !== 'eof') throw new TemplateError(file, `unexpected {{${top.stop}}}`);
  return { body: top.nodes, defines };
}
