import { describe, expect, it } from 'vitest';
import { formatIndex, hashContent, parseIndex } from './ownership-index.ts';

describe('ownership index', () => {
  it('round-trips paths and hashes, sorted by path', () => {
    const text = formatIndex(
      new Map([
        ['b/x.yaml', 'two\n'],
        ['a/y.yaml', 'one\n'],
      ]),
    );
    expect(text.split('\n').slice(1, 3)).toEqual([`${hashContent('one\n')}  a/y.yaml`, `${hashContent('two\n')}  b/x.yaml`]);
    expect(parseIndex(text)).toEqual(
      new Map([
        ['a/y.yaml', hashContent('one\n')],
        ['b/x.yaml', hashContent('two\n')],
      ]),
    );
  });

  it('owns nothing for lines it cannot read', () => {
    expect(parseIndex('garbage\nabc  a.yaml\n')).toEqual(new Map());
  });
});
