/** Parses a user's YAML file strictly, keeping the position of every node for error messages. */
import { type Document, isAlias, isMap, isScalar, isSeq, LineCounter, type Node, parseDocument, visit } from 'yaml';
import { ConfigError, type SourcePosition } from './config-error.ts';

/** A parsed YAML file whose nodes can be located by path. */
export interface YamlSource {
  /** Path relative to the repository root. */
  readonly file: string;
  /** The file's text. */
  readonly text: string;
  readonly document: Document.Parsed;
  /** The file's content as plain data (no prototype-polluting keys, no alias expansion bombs). */
  readonly data: unknown;
  /** Position of the node at `path`, or of the deepest existing ancestor. */
  positionOf(path: readonly (string | number)[], part?: 'key' | 'value'): SourcePosition;
}

const MAX_ALIAS_COUNT = 100;
const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

/** Parses `text` as YAML 1.2 with unique keys; throws {@link ConfigError} on any problem. */
export function parseYamlSource(file: string, text: string): YamlSource {
  const lineCounter = new LineCounter();
  const document = parseDocument(text, { lineCounter, uniqueKeys: true, prettyErrors: false, version: '1.2' });
  const at = (offset: number): SourcePosition => {
    const { line, col } = lineCounter.linePos(offset);
    return { file, line, col };
  };
  const firstError = document.errors[0];
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

  const positionOf = (path: readonly (string | number)[], part: 'key' | 'value' = 'value'): SourcePosition => {
    for (let depth = path.length; depth >= 0; depth--) {
      const parentPath = path.slice(0, Math.max(0, depth - 1));
      const parent = depth === 0 ? undefined : document.getIn(parentPath, true);
      if (part === 'key' && depth === path.length && isMap(parent)) {
        const pair = parent.items.find((item) => isScalar(item.key) && item.key.value === path[depth - 1]);
        const key = pair?.key as Node | undefined;
        if (key?.range) return at(key.range[0]);
      }
      const node = depth === 0 ? document.contents : (document.getIn(path.slice(0, depth), true) as Node | undefined);
      if (node?.range) return at(node.range[0]);
    }
    return { file, line: 1, col: 1 };
  };
  return { file, text, document, data, positionOf };
}

function rejectDangerousNodes(document: Document.Parsed, at: (offset: number) => SourcePosition): void {
  visit(document, {
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
