import { describe, expect, it } from 'vitest';
import { isPair, isScalar, parseDocument, visit } from 'yaml';
import { findMarkedScalars } from '../markers/marked-scalars.ts';
import { parseSetterMarker } from '../markers/setter-markers.ts';
import { seededRandom } from '../testing/seeded-random.ts';
import { parseBlockMapping } from './block-mapping.ts';
import { indexNodes, parseYamlDocument, pathKey } from './yaml-source.ts';

const KEYS = [
  'web',
  'api',
  'ref',
  'update',
  'pattern',
  'hold',
  'source',
  'by',
  'a.b',
  '_x',
  'svc-0001',
  '2fa',
  'true',
  'null',
  '12',
  '1e3',
  '__proto__',
  'a b',
  'x:y',
  '"q"',
  "'s'",
];
const VALUES = [
  'ghcr.io/acme/web:main-3f2c1e9-1732150000@sha256:4a916b87690f6245d07a056cfbe9ed91056c361bcbb48d8520d5f498abf9c481',
  "'^main-[a-f0-9]+-(?P<ts>[0-9]+)$'",
  '$ts',
  'numerical',
  'true',
  'True',
  'FALSE',
  'yes',
  'null',
  '~',
  '12',
  '-1',
  '+1',
  '1.5',
  '.5',
  '0x1F',
  '0o17',
  '1e3',
  '.inf',
  '.NaN',
  '3f2c1e9',
  '2024-01-01',
  'a#b',
  'a #b',
  'a: b',
  'a:b',
  'a:',
  "'it''s'",
  "'a # b'",
  "''",
  '""',
  '"dq"',
  '"a\\tb"',
  '"a # b"',
  "'x'y",
  '- x',
  '-x',
  '?x',
  '[a, b]',
  '{a: b}',
  '&anchor v',
  '*alias',
  '!tag v',
  '|',
  '>',
  '@at',
  '%p',
  'é ü 中',
  'a\tb',
  'trailing   ',
  "'unclosed",
];
const COMMENTS = [
  ' {"$imagepolicy": "flux-system:dev-web-web"}',
  ' {"$imagepolicy": "flux-system:p:tag"}',
  '{"$imagepolicy":"ns:q"}',
  ' plain words',
  '',
  '  spaced  ',
  '# {"$imagepolicy": "ns:r"}',
];

/** A text of the images.yaml shape, now and then broken in one of the ways YAML allows or refuses. */
function generated(seed: number): string {
  const rnd = seededRandom(seed);
  const odd = (p: number) => rnd.chance(p);
  const lines: string[] = [];
  const comment = (indent: number) => `${' '.repeat(indent)}#${rnd.pick(COMMENTS)}`;
  const extras = (indent: number) => {
    if (odd(0.15)) lines.push('');
    if (odd(0.15)) lines.push(comment(odd(0.9) ? indent : rnd.int(8)));
    if (odd(0.02)) lines.push('   ');
  };
  const mapping = (indent: number, depth: number) => {
    const count = 1 + rnd.int(3);
    for (let index = 0; index < count; index++) {
      extras(indent);
      const key = odd(0.97) ? rnd.pick(KEYS.slice(0, 11)) : rnd.pick(KEYS);
      if (depth < 3 && odd(0.5)) {
        lines.push(`${' '.repeat(indent)}${key}:${odd(0.03) ? ' # c' : odd(0.02) ? ' ' : ''}`);
        if (odd(0.03)) continue;
        mapping(indent + (odd(0.9) ? 2 : 1 + rnd.int(4)), depth + 1);
      } else {
        const value = odd(0.9) ? rnd.pick(VALUES.slice(0, 4)) : rnd.pick(VALUES);
        const spaces = odd(0.9) ? ' ' : odd(0.5) ? '   ' : '';
        const trailing = odd(0.3) ? ` ${odd(0.5) ? '' : '  '}#${rnd.pick(COMMENTS)}` : odd(0.05) ? '  ' : '';
        lines.push(`${' '.repeat(indent)}${key}:${spaces}${value}${trailing}`);
      }
    }
  };
  const entries = 1 + rnd.int(4);
  if (odd(0.3)) lines.push('# yaml-language-server: $schema=../../cli/schema/images.schema.json');
  for (let entry = 0; entry < entries; entry++) {
    extras(0);
    lines.push(`${odd(0.95) ? `app-${rnd.int(5)}` : rnd.pick(KEYS)}:`);
    mapping(odd(0.9) ? 2 : 4, 1);
  }
  if (odd(0.1)) lines.push(odd(0.5) ? '' : comment(rnd.int(4)));
  let text = lines.join('\n') + (odd(0.9) ? '\n' : '');
  if (odd(0.02)) text = text.replaceAll('\n', '\r\n');
  if (odd(0.02)) text = `${text}  continued\n`;
  return text;
}

/** What `yaml` reads in `text`, in the terms of {@link parseBlockMapping}, or undefined when it refuses the text. */
function yamlReading(text: string) {
  let parsed: ReturnType<typeof parseYamlDocument>;
  try {
    parsed = parseYamlDocument('images.yaml', text);
  } catch {
    return undefined;
  }
  const { document, data } = parsed;
  const nodes = indexNodes(document);
  nodes.delete(pathKey([]));
  const comments: { start: number; comment: string }[] = [];
  visit(document, {
    Scalar(key, node, path) {
      if (key === 'key' || !isPair(path.at(-1))) return;
      expect(node.commentBefore, 'no head comment on a value').toBeUndefined();
      if (typeof node.comment === 'string') comments.push({ start: node.range?.[0] ?? -1, comment: node.comment });
    },
  });
  const contents = document.contents;
  const keys =
    contents && 'items' in contents
      ? (contents.items as unknown[]).filter(isPair).map((pair) => (isScalar(pair.key) ? { key: pair.key.value, offset: pair.key.range?.[0] } : {}))
      : [];
  const markers = findMarkedScalars([{ document, text }]).map(({ node, marker }) => [node.range?.[0], marker.policy]);
  return { keys, data, nodes, comments, markers };
}

describe('parseBlockMapping', () => {
  it('reads what yaml reads, or declines: data, node ranges, keys, line comments and Flux markers', () => {
    let accepted = 0;
    let withComments = 0;
    const total = 6000;
    for (let seed = 1; seed <= total; seed++) {
      const text = generated(seed);
      const fast = parseBlockMapping(text);
      if (!fast) continue;
      accepted++;
      const expected = yamlReading(text);
      const context = `seed ${seed}: ${JSON.stringify(text)}`;
      expect(expected, context).toBeDefined();
      if (!expected) continue;
      expect(fast.data, context).toStrictEqual(expected.data);
      expect(fast.keys, context).toEqual(expected.keys);
      expect(new Map([...fast.nodes].map(([path, range]) => [path, { ...range }])), context).toEqual(expected.nodes);
      expect(fast.comments, context).toEqual(expected.comments);
      const markers = fast.comments.flatMap(({ start, comment }) => {
        const marker = parseSetterMarker(comment);
        return marker ? [[start, marker.policy]] : [];
      });
      expect(markers, context).toEqual(expected.markers);
      if (fast.comments.length > 0) withComments++;
    }
    // The generator's texts are mostly of the shape read here: a reader that declined everything would pass the loop.
    expect(accepted).toBeGreaterThan(total / 5);
    expect(withComments).toBeGreaterThan(total / 20);
  });

  it('reads the images.yaml that synth and pin write', () => {
    const entry = (app: string) =>
      [
        `${app}:`,
        '  web:',
        `    ref: ghcr.io/acme/${app}:main-3f2c1e9-1732150000@sha256:${'4a'.repeat(32)} # {"$imagepolicy": "flux-system:dev-${app}-web"}`,
        '    update:',
        "      pattern: '^main-[a-f0-9]+-(?P<ts>[0-9]+)$'",
        '      extract: $ts',
        '      sort: numerical',
        '    hold: true',
        '    source:',
        '      by: ci',
        '      commit: 3f2c1e9',
      ].join('\n');
    const text = `# yaml-language-server: $schema=../../cli/schema/images.schema.json\n# Image pins for dev.\n${entry('web')}\n${entry('api')}\n`;
    const fast = parseBlockMapping(text);
    expect(fast?.data).toStrictEqual(parseDocument(text).toJS());
    expect(fast?.comments.map(({ comment }) => parseSetterMarker(comment)?.policy)).toEqual(['flux-system:dev-web-web', 'flux-system:dev-api-web']);
  });

  it('declines what yaml reads differently from the plain shape', () => {
    for (const text of [
      'a:\n  b: 12\n',
      'a:\n  b: null\n',
      'a:\n  b: "x\\ty"\n',
      'a:\n  b:\n',
      'a:\n  b: x\n  b: y\n',
      'a:\n  b: [x]\n',
      'a:\n  b: x\n    # deeper\n',
      'a:\n  b: x\n# last\n',
      'a:\n\tb: x\n',
    ]) {
      expect(parseBlockMapping(text), JSON.stringify(text)).toBeUndefined();
    }
  });
});
