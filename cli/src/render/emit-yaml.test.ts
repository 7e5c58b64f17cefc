import { describe, expect, it } from 'vitest';
import { emitYaml } from './emit-yaml.ts';

const REF = `ghcr.io/acme/api:v1@sha256:${'d'.repeat(64)}`;

describe('emitYaml', () => {
  it('writes cdk8s style: 2-space indent, wide sequences, no leading ---, final newline', () => {
    const text = emitYaml([{ kind: 'A', list: ['x', 'z'], nested: { empty: {}, none: [] } }, { kind: 'B' }]);
    expect(text).toBe('kind: A\nlist:\n  - x\n  - z\nnested:\n  empty: {}\n  none: []\n---\nkind: B\n');
  });

  it('puts the marker on the value line and double-quotes :tag and :digest values', () => {
    const markers = new Map([
      [REF, ' {"$imagepolicy": "flux-system:dev-api-api"}'],
      ['v1', ' {"$imagepolicy": "flux-system:dev-api-api:tag"}'],
    ]);
    const text = emitYaml([{ containers: [{ image: REF, env: [{ name: 'TAG', value: 'v1' }] }] }], markers);
    expect(text).toContain(`image: ${REF} # {"$imagepolicy": "flux-system:dev-api-api"}\n`);
    expect(text).toContain('value: "v1" # {"$imagepolicy": "flux-system:dev-api-api:tag"}\n');
  });

  it('never puts a marker on a mapping key', () => {
    const text = emitYaml([{ labels: { v1: 'other' } }], new Map([['v1', ' {"$imagepolicy": "ns:p:tag"}']]));
    expect(text).toBe('labels:\n  v1: other\n');
  });

  it('quotes YAML 1.1 non-strings the way Flux does', () => {
    expect(emitYaml([{ a: 'yes', b: '1.20', c: 'on', d: '0755' }])).toBe('a: "yes"\nb: "1.20"\nc: "on"\nd: "0755"\n');
  });

  it('does not wrap long lines', () => {
    const long = 'word '.repeat(60).trim();
    expect(emitYaml([{ long }])).toBe(`long: ${long}\n`);
  });
});
