import { describe, expect, it } from 'vitest';
import { ConfigError } from './config-error.ts';
import { parseYamlSource } from './yaml-source.ts';

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

  it('locates nodes of a large file in time proportional to its size', () => {
    const pins = (count: number) => Array.from({ length: count }, (_, index) => `app-${index}:\n  image:\n    ref: r:${index}\n`).join('');
    const timed = (count: number): number => {
      const started = performance.now();
      const source = parseYamlSource('images.yaml', pins(count));
      for (let index = 0; index < count; index++) source.positionOf([`app-${index}`, 'image', 'ref']);
      return performance.now() - started;
    };
    timed(2000);
    const small = timed(4000);
    const large = timed(16000);
    // Quadratic work would take 16 times as long for 4 times the pins; linear work about 4 times.
    expect(large / small).toBeLessThan(10);
    expect(parseYamlSource('images.yaml', pins(3)).positionOf(['app-2', 'image', 'ref'])).toEqual({ file: 'images.yaml', line: 9, col: 10 });
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
