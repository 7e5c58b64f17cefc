import { describe, expect, it } from 'vitest';
import { ConfigError } from '../errors/config-error.ts';
import { indexNodes, locatedSource, parseYamlDocument, parseYamlSource, pathKey } from './yaml-source.ts';

function errorOf(text: string): ConfigError {
  try {
    parseYamlSource('overlays/dev/images.yaml', text);
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('parseYamlSource', () => {
  it('locates malformed YAML at its line and column', () => {
    const error = errorOf('web:\n  web:\n    ref: [unclosed\n');
    expect(error.details.file).toBe('overlays/dev/images.yaml');
    expect(error.details.line).toBeGreaterThanOrEqual(3);
    expect(error.message).toMatch(/^overlays\/dev\/images\.yaml:\d+:\d+: invalid YAML: /);
  });

  it('refuses duplicate keys instead of keeping the last one', () => {
    const error = errorOf('namespace: a\nnamespace: b\n');
    expect(error.details).toMatchObject({ line: 2, col: 1 });
    expect(error.message).toContain('duplicate key "namespace"');
    expect(errorOf('a:\n  b: 1\n  c: 2\n  b: 3\n').details).toMatchObject({ line: 4, col: 3 });
  });

  it('locates nodes of a large file by path key, each lookup one call of the finder it is given', () => {
    const count = 4000;
    const text = Array.from({ length: count }, (_, index) => `app-${index}:\n  image:\n    ref: r:${index}\n`).join('');
    const { document, data, lineCounter } = parseYamlDocument('images.yaml', text);
    const index = indexNodes(document);
    const asked: string[] = [];
    const source = locatedSource('images.yaml', text, data, lineCounter, (key) => {
      asked.push(key);
      return index.get(key);
    });
    expect(asked).toEqual([]);
    for (let entry = 0; entry < count; entry++)
      expect(source.positionOf([`app-${entry}`, 'image', 'ref'])).toEqual({ file: 'images.yaml', line: 3 * entry + 3, col: 10 });
    expect(asked).toHaveLength(count);
    expect(asked[7]).toBe(pathKey(['app-7', 'image', 'ref']));
    expect(source.valueEnd(['app-7', 'image', 'ref'])).toBe(text.indexOf('r:7\n') + 3);
    expect(index.size).toBe(3 * count + 1);
  });

  it('refuses an alias bomb before it expands', () => {
    const bomb = ['a: &a [x, x, x, x, x, x, x, x, x]'];
    for (let level = 1; level < 9; level++)
      bomb.push(
        `${String.fromCharCode(97 + level)}: &${String.fromCharCode(97 + level)} [${Array(9)
          .fill(`*${String.fromCharCode(96 + level)}`)
          .join(', ')}]`,
      );
    const error = errorOf(`${bomb.join('\n')}\n`);
    expect(error.message).toContain('aliases expand too far');
    expect(error.details.line).toBe(2);
  });

  it.each(['__proto__', 'constructor', 'prototype'])('refuses the key %s at its position', (key) => {
    const error = errorOf(`web:\n  ${key}:\n    polluted: true\n`);
    expect(error.details).toMatchObject({ line: 2, col: 3 });
    expect(error.message).toContain(`key "${key}" is not allowed`);
  });

  it('locates a node by path, and a key by path', () => {
    const source = parseYamlSource('f.yaml', 'a:\n  b:\n    - x\n    - y\n');
    expect(source.positionOf(['a', 'b', 1])).toEqual({ file: 'f.yaml', line: 4, col: 7 });
    expect(source.positionOf(['a', 'b'], 'key')).toEqual({ file: 'f.yaml', line: 2, col: 3 });
    expect(source.positionOf(['a', 'missing', 'deeper'])).toEqual({ file: 'f.yaml', line: 2, col: 3 });
  });
});
