import { describe, expect, it } from 'vitest';
import { type FileSource, RenderedFiles } from './rendered-files.ts';

describe('RenderedFiles', () => {
  it('reads a file kept as an object only when its bytes are asked for', () => {
    const read: string[] = [];
    const lazy = (path: string, bytes: string) => ({
      get bytes() {
        read.push(path);
        return bytes;
      },
    });
    const files = new RenderedFiles(
      new Map<string, FileSource>([
        ['a.yaml', lazy('a.yaml', 'kind: A\n')],
        ['b.yaml', 'kind: B\n'],
        ['c.yaml', lazy('c.yaml', 'kind: C\n')],
      ]),
    );
    expect([files.size, files.has('c.yaml'), files.has('d.yaml'), [...files.keys()]]).toEqual([3, true, false, ['a.yaml', 'b.yaml', 'c.yaml']]);
    const withIndex = files.with('index', 'listed\n');
    expect([withIndex.get('b.yaml'), withIndex.get('index'), read]).toEqual(['kind: B\n', 'listed\n', []]);
    expect(files.get('c.yaml')).toBe('kind: C\n');
    expect(read).toEqual(['c.yaml']);
    expect([...withIndex]).toEqual([
      ['a.yaml', 'kind: A\n'],
      ['b.yaml', 'kind: B\n'],
      ['c.yaml', 'kind: C\n'],
      ['index', 'listed\n'],
    ]);
    expect(read).toEqual(['c.yaml', 'a.yaml', 'c.yaml']);
  });
});
