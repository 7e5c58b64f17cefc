import { describe, expect, it } from 'vitest';
import { contentHash } from '../files/content-hash.ts';
import { formatIndex, ownershipHash, parseIndex } from './ownership-index.ts';

describe('ownership index', () => {
  it('round-trips paths and hashes, sorted by path', () => {
    const text = formatIndex(
      new Map([
        ['b/x.yaml', 'two\n'],
        ['a/y.yaml', 'one\n'],
      ]),
    );
    expect(text.split('\n').slice(1, 3)).toEqual([`${ownershipHash('one\n')}  a/y.yaml`, `${ownershipHash('two\n')}  b/x.yaml`]);
    expect(parseIndex(text)).toEqual(
      new Map([
        ['a/y.yaml', ownershipHash('one\n')],
        ['b/x.yaml', ownershipHash('two\n')],
      ]),
    );
  });

  it('owns nothing for lines it cannot read', () => {
    expect(parseIndex('garbage\nabc  a.yaml\n')).toEqual(new Map());
  });
});

describe('ownershipHash', () => {
  it('ignores the values Flux moves, and nothing else', () => {
    const file = (image: string, replicas: number) =>
      `spec:\n  replicas: ${replicas}\n  image: ${image} # {"$imagepolicy": "flux-system:dev-api-api"}\n  - "v1" # {"$imagepolicy": "flux-system:dev-api-api:tag"}\n`;
    expect(ownershipHash(file('ghcr.io/a/api:v1', 1))).toBe(ownershipHash(file('ghcr.io/a/api:v2@sha256:abc', 1)));
    expect(ownershipHash(file('ghcr.io/a/api:v1', 1))).not.toBe(ownershipHash(file('ghcr.io/a/api:v1', 2)));
    expect(ownershipHash('image: x # a comment\n')).not.toBe(ownershipHash('image: y # a comment\n'));
  });

  it('takes the content hash it is given only for a file without marked values', () => {
    const plain = 'kind: Service\n';
    expect(ownershipHash(plain, contentHash(plain))).toBe(ownershipHash(plain));
    const marked = 'image: ghcr.io/a/api:v1 # {"$imagepolicy": "flux-system:dev-api-api"}\n';
    expect(ownershipHash(marked, contentHash(marked))).toBe(ownershipHash(marked));
    expect(ownershipHash(marked)).not.toBe(contentHash(marked));
  });
});
