import { describe, expect, it } from 'vitest';
import { contentHash } from '../files/content-hash.ts';
import { formatIndex, indexEntry, ownershipHash, parseIndex } from './ownership-index.ts';

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

  it('finds one path’s hash in the text exactly as parsing the whole index does', () => {
    const hash = (n: number) => String(n % 10).repeat(64);
    const text = [
      formatIndex(
        new Map([
          ['web/deployment-web.yaml', 'a'],
          ['api/deployment-web.yaml', 'b'],
          ['web/service-web.yaml', 'c'],
        ]),
      ),
      `${hash(1)}  web/deployment-web.yaml`,
      `${hash(2)}  web/deployment-web.yaml.bak`,
      `x${hash(3)}  api/service-api.yaml`,
      `${hash(4)} api/ingress-api.yaml`,
      `${hash(5)}  api/ingress-api.yaml\r`,
      `${hash(6)}  last.yaml`,
    ].join('\n');
    const parsed = parseIndex(text);
    const paths = [...parsed.keys(), 'deployment-web.yaml', 'api/service-api.yaml', 'api/ingress-api.yaml', 'missing.yaml'];
    expect(paths.map((path) => indexEntry(text, path))).toEqual(paths.map((path) => parsed.get(path)));
    expect(indexEntry(text, 'web/deployment-web.yaml')).toBe(hash(1));
    expect(indexEntry(text, 'last.yaml')).toBe(hash(6));
  });
});
