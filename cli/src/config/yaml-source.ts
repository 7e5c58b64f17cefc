/** Parses a user's YAML file strictly, keeping the position of every node for error messages. */
import { type Document, isAlias, isMap, isScalar, isSeq, LineCounter, type Node, parseDocument, visit } from 'yaml';
import { ConfigError, type SourcePosition } from '../errors/config-error.ts';

/** A parsed YAML file whose nodes can be located by path. */
export interface YamlSource {
  /** Path relative to the repository root. */
  readonly file: string;
  /** The file's text. */
  readonly text: string;
  /** The file's content as plain data (no prototype-polluting keys, no alias expansion bombs). */
  readonly data: unknown;
  /** Position of the node at `path`, or of the deepest existing ancestor. */
  positionOf(path: readonly (string | number)[], part?: 'key' | 'value'): SourcePosition;
  /** Offset of the end of the value at `path` (map keys and sequence indexes; before any comment), found in constant time. */
  valueEnd(path: readonly (string | number)[]): number | undefined;
}

/** Where the node at one path sits in the text, as offsets: its key (map values only), its value's start and end. */
export interface NodeRange {
  readonly key?: number;
  readonly start?: number;
  readonly end?: number;
}

const MAX_ALIAS_COUNT = 100;
/** Keys refused in user files: they could change the behaviour of the program that reads the file. */
export const FORBIDDEN_KEYS: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype']);

/** Parses `text` as YAML 1.2 with unique keys; throws {@link ConfigError} on any problem. */
export function parseYamlSource(file: string, text: string): YamlSource {
  const { document, data, lineCounter } = parseYamlDocument(file, text);
  let nodes: ReadonlyMap<string, NodeRange> | undefined;
  return locatedSource(file, text, data, lineCounter, (key) => {
    nodes ??= indexNodes(document);
    return nodes.get(key);
  });
}

/** The checked parse behind {@link parseYamlSource}: the document, its data and its line starts. */
export function parseYamlDocument(file: string, text: string): { document: Document.Parsed; data: unknown; lineCounter: LineCounter } {
  const lineCounter = new LineCounter();
  // Duplicate keys are found below in one pass: the parser's own check compares every pair of keys.
  const document = parseDocument(text, { lineCounter, uniqueKeys: false, prettyErrors: false, version: '1.2' });
  const at = (offset: number): SourcePosition => {
    const { line, col } = lineCounter.linePos(offset);
    return { file, line, col };
  };
  const firstError = document.errors[0];
  if (firstError?.code === 'MULTIPLE_DOCS') {
    throw new ConfigError({
      ...at(firstError.pos[0]),
      message: 'a second YAML document starts here; this file holds one',
      hint: 'remove the "---" and what follows, or merge it into the first document',
    });
  }
  if (firstError) {
    throw new ConfigError({
      ...at(firstError.pos[0]),
      message: `invalid YAML: ${firstError.message.split('\n')[0]}`,
      hint: 'fix the YAML syntax at this position',
    });
  }
  rejectDangerousNodes(document, at);
  let data: unknown;
  try {
    data = document.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (error) {
    const firstAlias = findFirstAlias(document);
    throw new ConfigError({
      ...at(firstAlias?.range?.[0] ?? 0),
      message: `YAML aliases expand too far (${(error as Error).message})`,
      hint: 'write the values out instead of nesting aliases',
    });
  }
  return { document, data, lineCounter };
}

/**
 * A {@link YamlSource} over parsed `data`, locating nodes with `find` (the range of the node whose
 * path has that {@link pathKey}) and `lines` (the line starts of `text`).
 */
export function locatedSource(file: string, text: string, data: unknown, lines: LineCounter, find: (key: string) => NodeRange | undefined): YamlSource {
  const lookup = (path: readonly (string | number)[]): NodeRange | undefined => find(pathKey(path));
  const positionOf = (path: readonly (string | number)[], part: 'key' | 'value' = 'value'): SourcePosition => {
    for (let depth = path.length; depth >= 0; depth--) {
      const found = lookup(path.slice(0, depth));
      const offset = part === 'key' && depth === path.length ? (found?.key ?? found?.start) : found?.start;
      if (offset !== undefined) {
        // An empty value at the end of the file starts past its last character: point at that character instead.
        const { line, col } = lines.linePos(Math.min(offset, Math.max(0, text.trimEnd().length - 1)));
        return { file, line, col };
      }
    }
    return { file, line: 1, col: 1 };
  };
  return { file, text, data, positionOf, valueEnd: (path) => lookup(path)?.end };
}

/** The key of a node path in an index of {@link NodeRange}s. */
export function pathKey(path: readonly (string | number)[]): string {
  return path.join('\u0000');
}

/** Every node of the document by path, in one walk (aliases are not followed). */
export function indexNodes(document: Document.Parsed): Map<string, NodeRange> {
  const index = new Map<string, NodeRange>();
  const range = (value: Node | null | undefined, key?: Node): NodeRange => ({
    ...(key?.range ? { key: key.range[0] } : {}),
    ...(value?.range ? { start: value.range[0], end: value.range[1] } : {}),
  });
  const walk = (node: unknown, path: (string | number)[]): void => {
    if (isMap(node)) {
      for (const pair of node.items) {
        if (!isScalar(pair.key)) continue;
        const childPath = [...path, String(pair.key.value)];
        index.set(pathKey(childPath), range(pair.value as Node | null, pair.key));
        walk(pair.value, childPath);
      }
    } else if (isSeq(node)) {
      node.items.forEach((item, position) => {
        const childPath = [...path, position];
        index.set(pathKey(childPath), range(item as Node));
        walk(item, childPath);
      });
    }
  };
  // The root is located by its start only: no caller asks where the whole document's value ends.
  const rootStart = document.contents?.range?.[0];
  index.set(pathKey([]), rootStart === undefined ? {} : { start: rootStart });
  walk(document.contents, []);
  return index;
}

function rejectDangerousNodes(document: Document.Parsed, at: (offset: number) => SourcePosition): void {
  visit(document, {
    Map(_key, map) {
      const seen = new Set<unknown>();
      for (const pair of map.items) {
        if (!isScalar(pair.key)) continue;
        if (seen.has(pair.key.value)) {
          throw new ConfigError({
            ...at(pair.key.range?.[0] ?? 0),
            message: `duplicate key "${String(pair.key.value)}"`,
            hint: 'keep one of the entries with this key; YAML maps need unique keys',
          });
        }
        seen.add(pair.key.value);
      }
    },
    Pair(_key, pair) {
      if (isScalar(pair.key) && FORBIDDEN_KEYS.has(String(pair.key.value))) {
        throw new ConfigError({
          ...at(pair.key.range?.[0] ?? 0),
          message: `key "${String(pair.key.value)}" is not allowed`,
          hint: 'rename the key; it could change the behaviour of the program that reads this file',
        });
      }
      if (pair.key !== null && !isScalar(pair.key)) {
        const node = pair.key as Node;
        throw new ConfigError({
          ...at(node.range?.[0] ?? 0),
          message: `expected a plain string key, found a ${isMap(node) ? 'mapping' : isSeq(node) ? 'sequence' : 'complex'} key`,
          hint: 'use a plain string as the key',
        });
      }
    },
  });
}

function findFirstAlias(document: Document.Parsed): Node | undefined {
  let found: Node | undefined;
  visit(document, {
    Alias(_key, node) {
      if (isAlias(node)) {
        found = node;
        return visit.BREAK;
      }
      return undefined;
    },
  });
  return found;
}
