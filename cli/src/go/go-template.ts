/**
 * The part of Go's text/template that commit-message templates use, evaluated as Go does: actions
 * with `{{-`/`-}}` trimming and comments; fields, variables, pipelines and parentheses; if / else if /
 * else, range (maps in sorted key order, with `$k, $v :=`), with; the built-in functions, and the
 * deterministic string, list, regex (go-regexp.ts) and checksum functions of sprig. Anything else is
 * refused with a clear error rather than rendered differently from the controller.
 */
import { createHash } from 'node:crypto';
import { GoRegexp, quoteMeta } from './go-regexp.ts';

/** A Go map: ranged over in sorted key order. */
export class GoMap<V = unknown> {
  constructor(readonly entries: ReadonlyMap<unknown, V>) {}
}

/** A Go struct: fields by name in declaration order; `embedded` lists fields whose own fields are promoted. */
export class GoStruct {
  constructor(
    readonly type: string,
    readonly fields: ReadonlyMap<string, unknown>,
    readonly options: { readonly embedded?: readonly string[]; readonly methods?: Readonly<Record<string, () => unknown>>; readonly stringer?: string } = {},
  ) {}
}

/** A template that cannot be parsed or run, with the controller's kind of message. */
export class GoTemplateError extends Error {}

type Node =
  | { kind: 'text'; text: string }
  | { kind: 'action'; pipe: Pipe }
  | { kind: 'if' | 'with'; pipe: Pipe; body: Node[]; otherwise: Node[] }
  | { kind: 'range'; pipe: Pipe; body: Node[]; otherwise: Node[] };

interface Pipe {
  readonly declare: readonly string[];
  readonly assign: boolean;
  readonly commands: readonly Operand[][];
}

type Operand =
  | { kind: 'field'; base: 'dot' | string; path: readonly string[] }
  | { kind: 'literal'; value: unknown }
  | { kind: 'function'; name: string }
  | { kind: 'pipe'; pipe: Pipe; path: readonly string[] };

/** Renders `template` with `data` as its dot. */
export function renderGoTemplate(template: string, data: unknown): string {
  return new Runner(data).run(parse(template));
}

// ---- parsing ----

interface Token {
  readonly kind: 'text' | 'action';
  readonly text: string;
}

function tokenize(template: string): Token[] {
  const tokens: Token[] = [];
  let rest = template;
  let trimNext = false;
  while (rest.length > 0) {
    const open = rest.indexOf('{{');
    let text = open < 0 ? rest : rest.slice(0, open);
    if (trimNext) text = text.replace(/^[ \t\r\n]+/, '');
    if (open < 0) {
      if (text) tokens.push({ kind: 'text', text });
      break;
    }
    let inner = rest.slice(open + 2);
    if (/^- [\s\S]*|^-[\t\r\n]/.test(inner)) {
      text = text.replace(/[ \t\r\n]+$/, '');
      inner = inner.slice(1);
    }
    if (text) tokens.push({ kind: 'text', text });
    const close = closingBraces(inner);
    if (close < 0) throw new GoTemplateError('template: commit message: unclosed action');
    let body = inner.slice(0, close);
    trimNext = /[ \t\r\n]-$/.test(body);
    if (trimNext) body = body.slice(0, -1);
    body = body.trim();
    if (!(body.startsWith('/*') && body.endsWith('*/'))) tokens.push({ kind: 'action', text: body });
    rest = inner.slice(close + 2);
  }
  return tokens;
}

/** Index of the `}}` closing an action, skipping quoted strings. */
function closingBraces(text: string): number {
  for (let index = 0; index < text.length; index++) {
    const char = text[index];
    if (char === '"' || char === '`' || char === "'") {
      const end = char === '"' || char === "'" ? /(?:[^"'\\]|\\.)*/y : /[^`]*/y;
      end.lastIndex = index + 1;
      end.exec(text);
      index = end.lastIndex;
    } else if (text.startsWith('}}', index)) return index;
  }
  return -1;
}

function parse(template: string): Node[] {
  const tokens = tokenize(template);
  let position = 0;
  const list = (ends: readonly string[]): { nodes: Node[]; end: string } => {
    const nodes: Node[] = [];
    while (position < tokens.length) {
      const token = tokens[position++] as Token;
      if (token.kind === 'text') {
        nodes.push({ kind: 'text', text: token.text });
        continue;
      }
      const [keyword = '', rest = ''] = splitKeyword(token.text);
      if (ends.includes(keyword)) return { nodes, end: token.text };
      if (keyword === 'if' || keyword === 'with' || keyword === 'range') {
        nodes.push(control(keyword, rest));
      } else if (['else', 'end', 'define', 'template', 'block', 'break', 'continue'].includes(keyword)) {
        throw new GoTemplateError(`template: commit message: unexpected {{${keyword}}}`);
      } else nodes.push({ kind: 'action', pipe: parsePipe(token.text) });
    }
    if (ends.length > 0) throw new GoTemplateError('template: commit message: unexpected EOF (an {{end}} is missing)');
    return { nodes, end: '' };
  };
  const control = (keyword: 'if' | 'with' | 'range', rest: string): Node => {
    const pipe = parsePipe(rest);
    const body = list(['else', 'end']);
    let otherwise: Node[] = [];
    if (body.end !== 'end') {
      const [, elseRest = ''] = splitKeyword(body.end);
      const [chained = '', chainedRest = ''] = splitKeyword(elseRest);
      if (chained === 'if' || chained === 'with') otherwise = [control(chained, chainedRest)];
      else otherwise = list(['end']).nodes;
    }
    return { kind: keyword, pipe, body: body.nodes, otherwise };
  };
  return list([]).nodes;
}

function splitKeyword(text: string): [string, string] {
  const match = /^([a-z]+)\b\s*([\s\S]*)$/.exec(text);
  return match && ['if', 'else', 'end', 'range', 'with', 'define', 'template', 'block', 'break', 'continue'].includes(match[1] ?? '')
    ? [match[1] ?? '', match[2] ?? '']
    : ['', text];
}

const LEXEME =
  /\s*(?:("(?:[^"\\]|\\.)*"|`[^`]*`)|('(?:[^'\\]|\\.)')|(-?[0-9]+(?:\.[0-9]+)?)|(\$[A-Za-z0-9_]*)((?:\.[A-Za-z_][A-Za-z0-9_]*)*)|((?:\.[A-Za-z_][A-Za-z0-9_]*)+|\.)|([A-Za-z_][A-Za-z0-9_]*)|(:=|=|\||\(|\)((?:\.[A-Za-z_][A-Za-z0-9_]*)*)|,))/y;

function parsePipe(text: string): Pipe {
  const lexemes: { kind: string; value: string; path?: string }[] = [];
  LEXEME.lastIndex = 0;
  while (LEXEME.lastIndex < text.length) {
    if (/^\s*$/.test(text.slice(LEXEME.lastIndex))) break;
    const start = LEXEME.lastIndex;
    const match = LEXEME.exec(text);
    if (!match) throw new GoTemplateError(`template: commit message: cannot parse "${text.slice(start).trim()}"`);
    if (match[1] !== undefined) lexemes.push({ kind: 'string', value: match[1] });
    else if (match[2] !== undefined) lexemes.push({ kind: 'char', value: match[2] });
    else if (match[3] !== undefined) lexemes.push({ kind: 'number', value: match[3] });
    else if (match[4] !== undefined) lexemes.push({ kind: 'variable', value: match[4], path: match[5] ?? '' });
    else if (match[6] !== undefined) lexemes.push({ kind: 'field', value: match[6] });
    else if (match[7] !== undefined) lexemes.push({ kind: 'identifier', value: match[7] });
    else lexemes.push({ kind: 'punct', value: (match[8] ?? '').startsWith(')') ? ')' : (match[8] ?? ''), path: match[9] ?? '' });
  }
  let position = 0;
  const pipe = (): Pipe => {
    const declare: string[] = [];
    let assign = false;
    const variables = [];
    for (let probe = position; lexemes[probe]?.kind === 'variable' && !lexemes[probe]?.path; probe += 2) {
      variables.push(lexemes[probe]?.value ?? '');
      const next = lexemes[probe + 1]?.value;
      if (next === ':=' || next === '=') {
        declare.push(...variables);
        assign = next === '=';
        position = probe + 2;
        break;
      }
      if (next !== ',') break;
    }
    const commands: Operand[][] = [[]];
    while (position < lexemes.length) {
      const lexeme = lexemes[position++] as { kind: string; value: string; path?: string };
      const command = commands.at(-1) as Operand[];
      if (lexeme.kind === 'punct' && lexeme.value === '|') commands.push([]);
      else if (lexeme.kind === 'punct' && lexeme.value === ')') {
        position--;
        break;
      } else if (lexeme.kind === 'punct' && lexeme.value === '(') {
        const inner = pipe();
        const closing = lexemes[position++];
        if (closing?.value !== ')') throw new GoTemplateError('template: commit message: unclosed left paren');
        command.push({ kind: 'pipe', pipe: inner, path: fieldPath(closing.path ?? '') });
      } else command.push(operand(lexeme));
    }
    if (commands.some((command) => command.length === 0)) throw new GoTemplateError(`template: commit message: missing value in "${text}"`);
    return { declare, assign, commands };
  };
  const result = pipe();
  if (position < lexemes.length) throw new GoTemplateError(`template: commit message: unexpected ")" in "${text}"`);
  return result;
}

function operand(lexeme: { kind: string; value: string; path?: string }): Operand {
  switch (lexeme.kind) {
    case 'string':
      return { kind: 'literal', value: lexeme.value.startsWith('`') ? lexeme.value.slice(1, -1) : (JSON.parse(lexeme.value) as string) };
    case 'char':
      return { kind: 'literal', value: (JSON.parse(`"${lexeme.value.slice(1, -1)}"`) as string).codePointAt(0) };
    case 'number':
      return { kind: 'literal', value: Number(lexeme.value) };
    case 'variable':
      return { kind: 'field', base: lexeme.value, path: fieldPath(lexeme.path ?? '') };
    case 'field':
      return { kind: 'field', base: 'dot', path: fieldPath(lexeme.value) };
    case 'identifier':
      if (lexeme.value === 'true' || lexeme.value === 'false') return { kind: 'literal', value: lexeme.value === 'true' };
      if (lexeme.value === 'nil') return { kind: 'literal', value: null };
      return { kind: 'function', name: lexeme.value };
    default:
      throw new GoTemplateError(`template: commit message: unexpected "${lexeme.value}"`);
  }
}

function fieldPath(text: string): string[] {
  return text.split('.').filter((part) => part !== '');
}

// ---- evaluation ----

class Runner {
  private readonly variables: Map<string, unknown>[];

  constructor(private readonly root: unknown) {
    this.variables = [new Map([['$', root]])];
  }

  run(nodes: readonly Node[], dot: unknown = this.root): string {
    let out = '';
    for (const node of nodes) {
      if (node.kind === 'text') out += node.text;
      else if (node.kind === 'action') {
        const value = this.pipe(node.pipe, dot);
        if (node.pipe.declare.length === 0) out += printValue(value);
      } else if (node.kind === 'if' || node.kind === 'with') {
        out += this.scoped(() => {
          const value = this.pipe(node.pipe, dot);
          if (isTrue(value)) return this.run(node.body, node.kind === 'with' ? value : dot);
          return this.run(node.otherwise, dot);
        });
      } else out += this.range(node, dot);
    }
    return out;
  }

  private range(node: Extract<Node, { body: Node[] }>, dot: unknown): string {
    const declare = node.pipe.declare;
    const value = this.pipe({ ...node.pipe, declare: [] }, dot);
    const items: [unknown, unknown][] =
      value instanceof GoMap
        ? sortKeys([...value.entries.keys()]).map((key) => [key, value.entries.get(key)])
        : Array.isArray(value)
          ? value.map((item, index) => [index, item])
          : typeof value === 'number'
            ? Array.from({ length: value }, (_, index) => [index, index])
            : value === null || value === undefined
              ? []
              : fail(`range can't iterate over ${printValue(value)}`);
    if (items.length === 0) return this.scoped(() => this.run(node.otherwise, dot));
    let out = '';
    for (const [key, item] of items) {
      out += this.scoped(() => {
        const scope = this.variables.at(-1) as Map<string, unknown>;
        if (declare.length === 1) scope.set(declare[0] as string, item);
        if (declare.length === 2) {
          scope.set(declare[0] as string, key);
          scope.set(declare[1] as string, item);
        }
        return this.run(node.body, item);
      });
    }
    return out;
  }

  private scoped<T>(body: () => T): T {
    this.variables.push(new Map());
    try {
      return body();
    } finally {
      this.variables.pop();
    }
  }

  private pipe(pipe: Pipe, dot: unknown): unknown {
    let value: unknown;
    let first = true;
    for (const command of pipe.commands) {
      value = this.command(command, dot, first ? [] : [value]);
      first = false;
    }
    for (const name of pipe.declare) {
      if (pipe.assign) {
        const scope = [...this.variables].reverse().find((variables) => variables.has(name));
        if (!scope) fail(`undefined variable: ${name}`);
        scope?.set(name, value);
      } else (this.variables.at(-1) as Map<string, unknown>).set(name, value);
    }
    return value;
  }

  private command(command: readonly Operand[], dot: unknown, piped: readonly unknown[]): unknown {
    const [head, ...args] = command;
    if (head?.kind === 'function') {
      const fn = FUNCTIONS[head.name];
      if (!fn) fail(`function "${head.name}" not defined (the simulator knows Go's built-ins and sprig's string, list, regex and checksum functions)`);
      if (head.name === 'and' || head.name === 'or') {
        const operands = [...args.map((arg) => () => this.operand(arg, dot)), ...piped.map((value) => () => value)];
        let last: unknown;
        for (const next of operands) {
          last = next();
          if (head.name === 'and' ? !isTrue(last) : isTrue(last)) return last;
        }
        return last;
      }
      return (fn as (...values: unknown[]) => unknown)(...args.map((arg) => this.operand(arg, dot)), ...piped);
    }
    if (args.length > 0 || piped.length > 0) fail(`can't give arguments to a non-function ${describeOperand(head)}`);
    return head ? this.operand(head, dot) : undefined;
  }

  private operand(operand: Operand, dot: unknown): unknown {
    switch (operand.kind) {
      case 'literal':
        return operand.value;
      case 'function':
        return this.command([operand], dot, []);
      case 'pipe':
        return operand.path.reduce(field, this.pipe(operand.pipe, dot));
      case 'field': {
        let base = dot;
        if (operand.base !== 'dot') {
          const scope = [...this.variables].reverse().find((variables) => variables.has(operand.base));
          if (!scope) fail(`undefined variable "${operand.base}"`);
          base = scope?.get(operand.base);
        }
        return operand.path.reduce(field, base);
      }
    }
  }
}

function describeOperand(operand: Operand | undefined): string {
  if (operand?.kind === 'field') return `${operand.base === 'dot' ? '' : operand.base}.${operand.path.join('.')}`;
  return 'value';
}

function field(value: unknown, name: string): unknown {
  if (value instanceof GoStruct) {
    if (value.fields.has(name)) return value.fields.get(name);
    const method = value.options.methods?.[name];
    if (method) return method();
    for (const embedded of value.options.embedded ?? []) {
      const inner = value.fields.get(embedded);
      if (inner instanceof GoStruct && (inner.fields.has(name) || (inner.options.embedded ?? []).length > 0)) {
        try {
          return field(inner, name);
        } catch {}
      }
    }
    return fail(`can't evaluate field ${name} in type ${value.type}`);
  }
  if (value instanceof GoMap) return value.entries.has(name) ? value.entries.get(name) : undefined;
  if (value === null || value === undefined) return fail(`nil pointer evaluating .${name}`);
  return fail(`can't evaluate field ${name} in type ${goType(value)}`);
}

function fail(message: string): never {
  throw new GoTemplateError(`template: commit message: ${message}`);
}

function isTrue(value: unknown): boolean {
  if (value instanceof GoMap) return value.entries.size > 0;
  if (Array.isArray(value)) return value.length > 0;
  return value !== null && value !== undefined && value !== false && value !== 0 && value !== '';
}

/** Keys in Go's fmtsort order: numbers and strings by value, structs field by field. */
function sortKeys(keys: unknown[]): unknown[] {
  return [...keys].sort(compareKeys);
}

function compareKeys(a: unknown, b: unknown): number {
  if (a instanceof GoStruct && b instanceof GoStruct) {
    for (const [name, value] of a.fields) {
      const order = compareKeys(value, b.fields.get(name));
      if (order !== 0) return order;
    }
    return 0;
  }
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  const [left, right] = [String(a), String(b)];
  return left < right ? -1 : left > right ? 1 : 0;
}

/** A value as Go's fmt prints it with %v. */
export function printValue(value: unknown): string {
  if (value === undefined) return '<no value>';
  if (value === null) return '<nil>';
  if (value instanceof GoStruct) {
    if (value.options.stringer) return value.options.stringer;
    return `{${[...value.fields.values()].map(printNested).join(' ')}}`;
  }
  if (value instanceof GoMap)
    return `map[${sortKeys([...value.entries.keys()])
      .map((key) => `${printNested(key)}:${printNested(value.entries.get(key))}`)
      .join(' ')}]`;
  if (Array.isArray(value)) return `[${value.map(printNested).join(' ')}]`;
  return String(value);
}

function printNested(value: unknown): string {
  return value === undefined || value === null ? '<nil>' : value instanceof GoStruct && value.options.stringer ? value.options.stringer : printValue(value);
}

function goType(value: unknown): string {
  if (typeof value === 'string') return 'string';
  if (typeof value === 'number') return Number.isInteger(value) ? 'int' : 'float64';
  if (typeof value === 'boolean') return 'bool';
  if (Array.isArray(value)) return 'slice';
  return 'interface {}';
}

function length(value: unknown): number {
  if (typeof value === 'string') return Buffer.byteLength(value);
  if (Array.isArray(value)) return value.length;
  if (value instanceof GoMap) return value.entries.size;
  return fail(`len of ${goType(value)}`);
}

function compare(a: unknown, b: unknown): number {
  if (typeof a !== typeof b) fail('incompatible types for comparison');
  return compareKeys(a, b);
}

function sprintf(format: string, ...args: unknown[]): string {
  let index = 0;
  return format.replace(/%([-+# 0]*)([0-9]*)(?:\.([0-9]+))?([vsdqtfx%])/g, (_, flags: string, width: string, precision: string | undefined, verb: string) => {
    if (verb === '%') return '%';
    const arg = args[index++];
    if (index > args.length) return `%!${verb}(MISSING)`;
    let text: string;
    if (verb === 'q') text = JSON.stringify(String(arg));
    else if (verb === 'd') text = typeof arg === 'number' ? String(Math.trunc(arg)) : `%!d(${goType(arg)}=${printValue(arg)})`;
    else if (verb === 'f')
      text = typeof arg === 'number' ? arg.toFixed(precision === undefined ? 6 : Number(precision)) : `%!f(${goType(arg)}=${printValue(arg)})`;
    else if (verb === 'x') text = typeof arg === 'number' ? arg.toString(16) : Buffer.from(String(arg)).toString('hex');
    else text = printValue(arg);
    if (verb === 's' && precision !== undefined) text = text.slice(0, Number(precision));
    const pad = Number(width || 0) - [...text].length;
    if (pad > 0) text = flags.includes('-') ? text + ' '.repeat(pad) : (flags.includes('0') && verb === 'd' ? '0' : ' ').repeat(pad) + text;
    return text;
  });
}

const asString = (value: unknown): string => (typeof value === 'string' ? value : printValue(value));
const asList = (value: unknown): unknown[] => (Array.isArray(value) ? value : value instanceof GoMap ? [...value.entries.values()] : fail('expected a list'));

/** Go's built-ins and sprig's deterministic string and list functions (its hermetic set), by name. */
const FUNCTIONS: Readonly<Record<string, (...args: never[]) => unknown>> = {
  and: () => undefined,
  or: () => undefined,
  not: (value: unknown) => !isTrue(value),
  len: length,
  index: (value: unknown, ...keys: unknown[]) =>
    keys.reduce(
      (current, key) => (current instanceof GoMap ? current.entries.get(key) : Array.isArray(current) ? current[key as number] : fail('index of untyped nil')),
      value,
    ),
  print: (...values: unknown[]) =>
    values.map((value, index) => (index > 0 && typeof value !== 'string' && typeof values[index - 1] !== 'string' ? ' ' : '') + printValue(value)).join(''),
  println: (...values: unknown[]) => `${values.map(printValue).join(' ')}\n`,
  printf: (format: string, ...values: unknown[]) => sprintf(format, ...values),
  eq: (first: unknown, ...others: unknown[]) => others.some((other) => compare(first, other) === 0),
  ne: (a: unknown, b: unknown) => compare(a, b) !== 0,
  lt: (a: unknown, b: unknown) => compare(a, b) < 0,
  le: (a: unknown, b: unknown) => compare(a, b) <= 0,
  gt: (a: unknown, b: unknown) => compare(a, b) > 0,
  ge: (a: unknown, b: unknown) => compare(a, b) >= 0,
  upper: (value: unknown) => asString(value).toUpperCase(),
  lower: (value: unknown) => asString(value).toLowerCase(),
  title: (value: unknown) => asString(value).replace(/(^|\s)(\S)/g, (_, space: string, char: string) => space + char.toUpperCase()),
  trim: (value: unknown) => asString(value).trim(),
  trimPrefix: (prefix: string, value: unknown) => (asString(value).startsWith(prefix) ? asString(value).slice(prefix.length) : asString(value)),
  trimSuffix: (suffix: string, value: unknown) => (suffix && asString(value).endsWith(suffix) ? asString(value).slice(0, -suffix.length) : asString(value)),
  replace: (old: string, replacement: string, value: unknown) => asString(value).split(old).join(replacement),
  contains: (part: string, value: unknown) => asString(value).includes(part),
  hasPrefix: (prefix: string, value: unknown) => asString(value).startsWith(prefix),
  hasSuffix: (suffix: string, value: unknown) => asString(value).endsWith(suffix),
  repeat: (count: number, value: unknown) => asString(value).repeat(count),
  trunc: (count: number, value: unknown) => (count >= 0 ? asString(value).slice(0, count) : asString(value).slice(count)),
  quote: (...values: unknown[]) => values.map((value) => JSON.stringify(asString(value))).join(' '),
  squote: (...values: unknown[]) => values.map((value) => `'${asString(value)}'`).join(' '),
  indent: (spaces: number, value: unknown) => asString(value).replace(/^/gm, ' '.repeat(spaces)),
  nindent: (spaces: number, value: unknown) => `\n${asString(value).replace(/^/gm, ' '.repeat(spaces))}`,
  default: (fallback: unknown, value?: unknown) => (isTrue(value) ? value : fallback),
  toString: (value: unknown) => asString(value),
  list: (...values: unknown[]) => values,
  join: (separator: string, value: unknown) => asList(value).map(asString).join(separator),
  splitList: (separator: string, value: unknown) => asString(value).split(separator),
  first: (value: unknown) => asList(value)[0],
  last: (value: unknown) => asList(value).at(-1),
  uniq: (value: unknown) => [...new Set(asList(value))],
  sortAlpha: (value: unknown) => asList(value).map(asString).sort(),
  keys: (...maps: unknown[]) => maps.flatMap((map) => (map instanceof GoMap ? [...map.entries.keys()] : fail('keys of a non-map'))),
  regexMatch: (regex: string, value: unknown) => goRegexp('regexMatch', regex).matches(asString(value)),
  regexFind: (regex: string, value: unknown) => goRegexp('regexFind', regex).findAll(asString(value), 1)[0]?.groups[0] ?? '',
  regexFindAll: (regex: string, value: unknown, limit: number) =>
    goRegexp('regexFindAll', regex)
      .findAll(asString(value), limit)
      .map((match) => match.groups[0] ?? ''),
  regexReplaceAll: (regex: string, value: unknown, replacement: unknown) =>
    goRegexp('regexReplaceAll', regex).replaceAll(asString(value), asString(replacement)),
  regexReplaceAllLiteral: (regex: string, value: unknown, replacement: unknown) =>
    goRegexp('regexReplaceAllLiteral', regex).replaceAll(asString(value), asString(replacement), true),
  regexSplit: (regex: string, value: unknown, limit: number) => goRegexp('regexSplit', regex).split(asString(value), limit),
  regexQuoteMeta: (value: unknown) => quoteMeta(asString(value)),
  sha1sum: (value: unknown) => createHash('sha1').update(asString(value)).digest('hex'),
  sha256sum: (value: unknown) => createHash('sha256').update(asString(value)).digest('hex'),
  adler32sum: (value: unknown) => String(adler32(Buffer.from(asString(value)))),
  b64enc: (value: unknown) => Buffer.from(asString(value)).toString('base64'),
};

/** A sprig regex function's pattern compiled as Go's MustCompile does: a bad one fails the template. */
function goRegexp(name: string, regex: string): GoRegexp {
  try {
    return new GoRegexp(regex);
  } catch (error) {
    return fail(`error calling ${name}: regexp: Compile(${JSON.stringify(regex)}): ${(error as Error).message}`);
  }
}

/** Go's hash/adler32 checksum of `bytes`. */
function adler32(bytes: Buffer): number {
  let a = 1;
  let b = 0;
  for (const byte of bytes) {
    a = (a + byte) % 65521;
    b = (b + a) % 65521;
  }
  return ((b << 16) | a) >>> 0;
}
