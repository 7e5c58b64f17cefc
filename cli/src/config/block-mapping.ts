/**
 * A reader for the YAML images.yaml is written in — block mappings of plain keys, nested by
 * indentation, whose values are one-line plain or quoted scalars, with comments — that gives what the
 * `yaml` library gives for such a text (the data, every node's range, the line comments of values)
 * about ten times faster. Anything outside that shape, or any text this reader and `yaml` might
 * read differently, is declined (undefined): the caller then parses it with `yaml`, which also reports
 * every error. A differential test holds the two to the same answers.
 *
 * Declined, among others: flow collections, sequences, anchors, aliases, tags, block scalars,
 * multi-line scalars, escapes in double quotes, plain scalars that resolve to anything but a string
 * or a boolean (numbers and nulls are left to `yaml`), empty values, a key twice, tabs, carriage
 * returns and other control characters, blank lines holding spaces, and comment lines not indented
 * as the key that follows them (`yaml` attaches those to the nodes above, which moves their ranges).
 */
import { FORBIDDEN_KEYS, type NodeRange } from './yaml-source.ts';

/** A text read as {@link parseBlockMapping} reads it. */
export interface BlockMapping {
  /** The root mapping's keys, in order, with the offset of each. */
  readonly keys: readonly { readonly key: string; readonly offset: number }[];
  /** The root mapping as data, as `yaml`'s `toJS` gives it. */
  readonly data: Record<string, unknown>;
  /** Every node below the root by its path's key (see `pathKey`), as `indexNodes` gives them. */
  readonly nodes: Map<string, NodeRange>;
  /** Each value carrying a line comment: where the value starts, and the comment (the text after `#`). */
  readonly comments: readonly { readonly start: number; readonly comment: string }[];
}

/** A mapping being read: its indentation, its data, and its path's key. */
interface Frame {
  readonly indent: number;
  readonly data: Record<string, unknown>;
  readonly path: string;
  /** The range of the value this mapping is (none for the root), whose end is set when the mapping ends. */
  readonly range: { key?: number; start?: number; end?: number } | undefined;
}

const KEY = /[A-Za-z0-9_][A-Za-z0-9_.-]*/y;
/** Longest key `yaml` reads as an implicit key (the YAML spec's 1024 characters, with the colon). */
const MAX_KEY = 1000;
/** Characters whose reading differs between parsers or that YAML refuses: left to `yaml`. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point.
const UNSAFE = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u2028\u2029\ufeff]/;
/** What YAML 1.2's core schema may resolve to a number or a null (a superset: a string that matches is left to `yaml`). */
const NOT_A_STRING = /^(?:[-+]?[0-9._]*(?:[eE][-+]?[0-9]+)?|0o[0-7]+|0x[0-9a-fA-F]+|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN)|~|[Nn]ull|NULL)$/;
const BOOLEANS = new Map([
  ...['true', 'True', 'TRUE'].map((word) => [word, true] as const),
  ...['false', 'False', 'FALSE'].map((word) => [word, false] as const),
]);
/** Characters a plain scalar may not start with (YAML's indicators and the quotes read above). */
const INDICATORS = new Set([...'-?:,[]{}#&*!|>\'"%@`']);
const SPACE = 32;
const HASH = 35;

/** `text` read as nested block mappings (see above), or undefined when it is not one or `yaml` could read it otherwise. */
export function parseBlockMapping(text: string): BlockMapping | undefined {
  if (UNSAFE.test(text)) return undefined;
  const data: Record<string, unknown> = {};
  const keys: { key: string; offset: number }[] = [];
  const nodes = new Map<string, NodeRange>();
  const comments: { start: number; comment: string }[] = [];
  const frames: Frame[] = [{ indent: 0, data, path: '', range: undefined }];
  // A key whose value is the mapping on the lines below, not yet started.
  let opener: { readonly key: string; readonly range: { key: number; start?: number; end?: number } } | undefined;
  // The indentation of the comment lines since the last key (-1: none), which must be the next key's.
  let commentIndent = -1;
  // Where the last value's line ended (past its line feed): the end of every mapping that ends there.
  let lastEnd = 0;
  for (let offset = 0; offset < text.length; ) {
    const newline = text.indexOf('\n', offset);
    const lineEnd = newline === -1 ? text.length : newline;
    const next = newline === -1 ? text.length : newline + 1;
    let column = offset;
    while (text.charCodeAt(column) === SPACE) column++;
    const indent = column - offset;
    if (column === lineEnd) {
      if (indent > 0) return undefined;
    } else if (text[column] === '#') {
      if (commentIndent !== -1 && commentIndent !== indent) return undefined;
      commentIndent = indent;
    } else {
      if (commentIndent !== -1 && commentIndent !== indent) return undefined;
      commentIndent = -1;
      KEY.lastIndex = column;
      const key = KEY.exec(text)?.[0];
      const colon = column + (key?.length ?? 0);
      if (!key || key.length > MAX_KEY || text[colon] !== ':' || FORBIDDEN_KEYS.has(key) || resolved(key) !== key) return undefined;
      let frame = frames.at(-1) as Frame;
      if (opener) {
        if (indent <= frame.indent) return undefined;
        const nested: Record<string, unknown> = {};
        frame.data[opener.key] = nested;
        opener.range.start = column;
        frame = { indent, data: nested, path: `${frame.path}${opener.key}\u0000`, range: opener.range };
        frames.push(frame);
        opener = undefined;
      } else {
        while (indent < frame.indent) {
          const ended = frames.pop() as Frame;
          if (ended.range) ended.range.end = lastEnd;
          frame = frames.at(-1) as Frame;
        }
        if (indent !== frame.indent) return undefined;
      }
      if (Object.hasOwn(frame.data, key)) return undefined;
      if (frames.length === 1) keys.push({ key, offset: column });
      const path = `${frame.path}${key}`;
      if (colon + 1 === lineEnd) {
        opener = { key, range: { key: column } };
        nodes.set(path, opener.range);
      } else {
        if (text.charCodeAt(colon + 1) !== SPACE) return undefined;
        let start = colon + 1;
        while (text.charCodeAt(start) === SPACE) start++;
        // Only spaces after the colon: an empty value (null), left to `yaml`.
        if (start === lineEnd) return undefined;
        const scalar = scalarAt(text, start, lineEnd);
        if (!scalar) return undefined;
        frame.data[key] = scalar.value;
        nodes.set(path, { key: column, start, end: scalar.end });
        if (scalar.comment !== undefined) comments.push({ start, comment: scalar.comment });
        lastEnd = next;
      }
    }
    offset = next;
  }
  if (opener || commentIndent !== -1 || keys.length === 0) return undefined;
  for (const frame of frames) if (frame.range) frame.range.end = lastEnd;
  return { keys, data, nodes, comments };
}

/** The one-line scalar starting at `start`: its value, where it ends, and its line comment; undefined when declined. */
function scalarAt(text: string, start: number, lineEnd: number): { value: unknown; end: number; comment?: string } | undefined {
  const first = text[start] ?? '';
  let value: unknown;
  let end: number;
  if (first === "'" || first === '"') {
    let close = start;
    for (;;) {
      close = text.indexOf(first, close + 1);
      if (close === -1 || close >= lineEnd) return undefined;
      // Two single quotes stand for one.
      if (first === "'" && text[close + 1] === "'") close++;
      else break;
    }
    const inner = text.slice(start + 1, close);
    if (first === '"' && inner.includes('\\')) return undefined;
    value = first === "'" ? inner.replaceAll("''", "'") : inner;
    end = close + 1;
  } else {
    if (INDICATORS.has(first)) return undefined;
    // A comment starts at the first ` #` of the line (searched within the line: most lines have none).
    let stop = start;
    while (stop < lineEnd && !(text.charCodeAt(stop) === HASH && text.charCodeAt(stop - 1) === SPACE)) stop++;
    end = stop;
    while (text.charCodeAt(end - 1) === SPACE) end--;
    const plain = text.slice(start, end);
    if (plain.includes(': ') || plain.endsWith(':')) return undefined;
    value = resolved(plain);
    if (value === undefined) return undefined;
  }
  let rest = end;
  while (text.charCodeAt(rest) === SPACE) rest++;
  if (rest === lineEnd) return { value, end };
  if (text[rest] !== '#' || rest === end) return undefined;
  // `yaml` gives an empty comment as one space.
  return { value, end, comment: text.slice(rest + 1, lineEnd) || ' ' };
}

/** A plain scalar's value under YAML 1.2's core schema: the string, a boolean, or undefined when it may be a number or a null. */
function resolved(plain: string): unknown {
  const boolean = BOOLEANS.get(plain);
  if (boolean !== undefined) return boolean;
  return NOT_A_STRING.test(plain) ? undefined : plain;
}
