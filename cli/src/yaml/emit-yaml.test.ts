import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isPair, isScalar, isSeq, parse, parseDocument, visit } from 'yaml';
import { exampleRepository } from '../testing/example-repository.ts';
import { emitObject, emitWithDocumentApi, emitYaml, type MarkerPlacement, writeBlockYaml } from './emit-yaml.ts';

const REF = `ghcr.io/acme/api:v1@sha256:${'d'.repeat(64)}`;

describe('emitYaml', () => {
  it('writes cdk8s style: 2-space indent, wide sequences, no leading ---, final newline', () => {
    const text = emitYaml([{ kind: 'A', list: ['x', 'z'], nested: { empty: {}, none: [] } }, { kind: 'B' }]);
    expect(text).toBe('kind: A\nlist:\n  - x\n  - z\nnested:\n  empty: {}\n  none: []\n---\nkind: B\n');
  });

  it('puts the marker on the value line and double-quotes :tag and :digest values', () => {
    const markers = [
      { path: ['containers', 0, 'image'], marker: ' {"$imagepolicy": "flux-system:dev-api-api"}' },
      { path: ['containers', 0, 'env', 0, 'value'], marker: ' {"$imagepolicy": "flux-system:dev-api-api:tag"}' },
    ];
    const object = {
      containers: [
        {
          image: REF,
          env: [
            { name: 'TAG', value: 'v1' },
            { name: 'SAME', value: 'v1' },
          ],
        },
      ],
    };
    const text = emitObject(object, markers);
    expect(text).toContain(`image: ${REF} # {"$imagepolicy": "flux-system:dev-api-api"}\n`);
    expect(text).toContain('value: "v1" # {"$imagepolicy": "flux-system:dev-api-api:tag"}\n');
    expect(text).toContain('- name: SAME\n        value: v1\n');
    expect(emitWithDocumentApi(object, markers)).toBe(text);
  });

  it('puts the marker on a scalar sequence item, where Flux finds and honours it', () => {
    const markers = [
      { path: ['args', 1], marker: ' {"$imagepolicy": "flux-system:dev-api-api"}' },
      { path: ['args', 2], marker: ' {"$imagepolicy": "flux-system:dev-api-api:tag"}' },
    ];
    const object = { args: ['--image', REF, 'v1', 'v1'] };
    const text = emitObject(object, markers);
    expect(text).toBe(
      `args:\n  - --image\n  - ${REF} # {"$imagepolicy": "flux-system:dev-api-api"}\n  - "v1" # {"$imagepolicy": "flux-system:dev-api-api:tag"}\n  - v1\n`,
    );
    expect(emitWithDocumentApi(object, markers)).toBe(text);
  });

  it('quotes YAML 1.1 non-strings the way Flux does', () => {
    expect(emitYaml([{ a: 'yes', b: '1.20', c: 'on', d: '0755' }])).toBe('a: "yes"\nb: "1.20"\nc: "on"\nd: "0755"\n');
  });

  it('quotes a "<<" key so that YAML 1.1 readers do not take it as a merge key', () => {
    const object = { '<<': 'x', data: { '<<': 'y' } };
    expect(emitYaml([object])).toBe('"<<": x\ndata:\n  "<<": "y"\n');
    expect(writeBlockYaml(object)).toBe(emitWithDocumentApi(object));
    expect(parse(emitYaml([object]), { version: '1.1', merge: true })).toEqual(object);
  });

  it('does not wrap long lines', () => {
    const long = 'word '.repeat(60).trim();
    expect(emitYaml([{ long }])).toBe(`long: ${long}\n`);
  });
});

describe('emitYaml block writer', () => {
  const tricky = [
    '',
    ' leading',
    'trailing ',
    'yes',
    'No',
    'on',
    'OFF',
    'y',
    'n',
    '~',
    'null',
    'Null',
    'true',
    'False',
    '0',
    '-1',
    '+1',
    '0x1F',
    '0o17',
    '017',
    '0b101',
    '1_000',
    '1.5',
    '.5',
    '1e3',
    '6.8523015e+5',
    '.inf',
    '-.Inf',
    '.NaN',
    '12:30:00',
    '190:20:30.15',
    '2001-12-14',
    '2001-12-14t21:59:43.10-05:00',
    '<<',
    '=',
    '- item',
    '? key',
    ': value',
    'a: b',
    'a #b',
    '#comment',
    '&anchor',
    '*alias',
    '!tag',
    '|',
    '>',
    "'quoted'",
    '"quoted"',
    '%directive',
    '@at',
    '`tick`',
    '[flow]',
    '{flow}',
    'a,b',
    'key:',
    '---',
    '...',
    'é and 日本',
    'back\\slash',
    'ends with colon:',
    '100m',
    '2048Mi',
    '25%',
    'http://x.example/a?b=c#d',
    `ghcr.io/acme/api:v1@sha256:${'e'.repeat(64)}`,
    'x'.repeat(300),
    'Y',
    'yES',
    'NULL',
    'oN',
    'TRUE',
    'a:',
    'a:b',
    'a::b',
    'a@b',
    'a=b',
    'a%b',
    'a+b',
    'e1',
    'E5',
    'e+5',
    'e1x',
    'inf',
    'nan',
    'x:1',
    'x: 1',
    'a#b',
    'a,b',
    'a[b',
    'ab}',
    'tab\there',
    'a b',
  ];
  const cases: unknown[] = [
    { strings: tricky, keys: Object.fromEntries(tricky.filter(Boolean).map((key, index) => [key, index])) },
    { nested: [{ a: [{ b: { c: [1, 'two', null, true, {}, []] } }] }, [], {}], n: -5, big: 2 ** 40, z: null, f: false },
    Object.fromEntries(tricky.filter(Boolean).map((key, index) => [key, index])),
    { list: [['nested', 'sequence']] },
    { float: 1.25, negativeZero: -0 },
    { multi: 'line one\nline two\n', after: 'x' },
  ];

  it.each(cases.slice(0, 3).map((object, index) => [index, object]))('spells case %i exactly like the yaml Document API', (_index, object) => {
    expect(writeBlockYaml(object)).toBe(emitWithDocumentApi(object));
  });

  it.each(cases.slice(3).map((object, index) => [index, object]))(
    'hands case %i (nested sequence, float, multi-line text) to the Document API',
    (_index, object) => {
      expect(writeBlockYaml(object)).toBeUndefined();
      expect(emitYaml([object])).toBe(emitWithDocumentApi(object));
    },
  );

  it('spells thousands of generated strings exactly like the yaml Document API, more than its memos keep', () => {
    const alphabet = 'aeEyYnNoOfFtTlLu0159.:-_/@%+=# ,[]{}\'"!&*|>?~x\\';
    let seed = 42;
    const random = (): number => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    const strings = Array.from({ length: 6000 }, () =>
      Array.from({ length: 1 + Math.floor(random() * 7) }, () => alphabet[Math.floor(random() * alphabet.length)]).join(''),
    );
    const object = { values: strings, keyed: Object.fromEntries(strings.map((value, index) => [`k${index}`, value])) };
    expect(writeBlockYaml(object)).toBe(emitWithDocumentApi(object));
  });

  it('spells every committed manifest exactly like the yaml Document API, markers included', async () => {
    const files = (await readdir(join(exampleRepository(), 'dist'), { recursive: true })).filter((file) => file.endsWith('.yaml'));
    expect(files.length).toBeGreaterThan(30);
    for (const file of files) {
      const text = await readFile(join(exampleRepository(), 'dist', file), 'utf8');
      const object = parse(text);
      const markers = markerPlacements(text);
      // Multi-line text (the automation's commit template) is left to the Document API.
      if (!text.includes(': |\n')) expect(writeBlockYaml(object, markers)).toBe(emitWithDocumentApi(object, markers));
      expect(emitObject(object, markers)).toBe(text);
    }
  });
});

/** Where the markers of a committed file sit, read back with the yaml Document API. */
function markerPlacements(text: string): MarkerPlacement[] {
  const placements: MarkerPlacement[] = [];
  visit(parseDocument(text), {
    Scalar(key, node, path) {
      if (key === 'key' || !isScalar(node) || !node.comment?.includes('$imagepolicy')) return;
      const keys: (string | number)[] = [];
      for (const [index, ancestor] of path.entries()) {
        const child = path[index + 1] ?? node;
        if (isSeq(ancestor)) keys.push(ancestor.items.indexOf(child as never));
        else if (isPair(ancestor) && isScalar(ancestor.key)) keys.push(String(ancestor.key.value));
      }
      placements.push({ path: keys, marker: node.comment });
    },
  });
  return placements;
}
