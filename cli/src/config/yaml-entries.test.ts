import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { findMarkedScalars } from '../markers/marked-scalars.ts';
import { MARKER_BYTES } from '../markers/setter-markers.ts';
import type { RenderCacheSettings } from '../render/render-cache.ts';
import { parseFluxDocuments } from '../yaml/kyaml-style.ts';
import { YamlEntries } from './yaml-entries.ts';
import { parseYamlSource, type YamlSource } from './yaml-source.ts';

// Files are assembled from entries of these bodies, with these lines between them, and now and then
// one of the other lines put anywhere: each of those must send the file to a whole-file parse.
const BODIES = [
  ['  app:', '    ref: ghcr.io/acme/a:1'],
  ['  app:', '    ref: ghcr.io/acme/b:2 # {"$imagepolicy": "flux-system:p"}', '    hold: true'],
  ['  app:', '# a comment at column 0 inside the entry', '    ref: ghcr.io/acme/c:3', '    # {"$imagepolicy": "flux-system:r"}', '    tag: "1.0"'],
  ['  app: {ref: "ghcr.io/acme/d:4"}'],
  ['  note: |', '    text', '', '    more', ''],
  ['  - x', '  - y # {"$imagepolicy": "flux-system:s:tag"}'],
  ['  other: [a, b]', '  # an indented comment'],
  [],
];
const BETWEEN = ['', '# a comment', '# {"$imagepolicy": "flux-system:q"}'];
const OTHER_LINES = [
  '- top',
  '---',
  '...',
  'k: &a v',
  'j: *a',
  '  key: [a,',
  'b]',
  '"quoted": 1',
  '123: x',
  '\tx: 1',
  'svc-c: value',
  '  continued',
  '__proto__: 1',
  '  ? complex',
  'x: "multi',
  'line"',
  '%YAML 1.2',
  '   bad: indent',
  '  # {"$imagepolicy": "flux-system:t"}',
];

/** Every path to a node in `data`, parents first. */
function paths(data: unknown, prefix: (string | number)[] = []): (string | number)[][] {
  if (Array.isArray(data)) return data.flatMap((item, index) => [[...prefix, index], ...paths(item, [...prefix, index])]);
  if (typeof data === 'object' && data !== null) {
    return Object.entries(data).flatMap(([key, value]) => [[...prefix, key], ...paths(value, [...prefix, key])]);
  }
  return [];
}

function wholeFile(text: string): YamlSource | undefined {
  try {
    return parseYamlSource('f.yaml', text);
  } catch {
    return undefined;
  }
}

function fluxPolicies(text: string): string[] | undefined {
  const documents = parseFluxDocuments(text);
  return documents && findMarkedScalars(documents).map(({ marker }) => marker.policy);
}

/** Asserts that the entry-wise parse of `text`, when there is one, is the whole-file parse. */
function expectSameAsWholeFile(text: string): boolean {
  const entries = YamlEntries.open(settings);
  const split = entries.source('f.yaml', text);
  const whole = wholeFile(text);
  if (!split) return false;
  expect(whole, text).toBeDefined();
  expect(split.data).toEqual(whole?.data);
  for (const path of [[], ...paths(whole?.data), ['missing'], [...(paths(whole?.data)[0] ?? []), 'deeper']]) {
    expect(split.positionOf(path), `${JSON.stringify(text)} at ${path.join('.')}`).toEqual(whole?.positionOf(path));
    expect(split.positionOf(path, 'key')).toEqual(whole?.positionOf(path, 'key'));
    expect(split.valueEnd(path), `${JSON.stringify(text)} end at ${path.join('.')}`).toBe(whole?.valueEnd(path));
  }
  // Markers seen entry by entry are trusted only when every written marker is among them.
  const seen = entries.fluxMarkers('f.yaml', text);
  if (seen && seen.length === text.split(MARKER_BYTES).length - 1) expect(seen).toEqual(fluxPolicies(text));
  return true;
}

let settings: RenderCacheSettings | undefined;

describe('YamlEntries', () => {
  let cache: string | undefined;
  afterEach(() => {
    settings = undefined;
    if (cache) rmSync(cache, { recursive: true, force: true });
  });

  it('parses a file entry by entry exactly as a whole-file parse does, or not at all (3,000 generated files)', () => {
    let seed = 7;
    const random = (): number => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    let split = 0;
    for (let run = 0; run < 3000; run++) {
      const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
      const lines: string[] = [];
      for (let entry = Math.floor(random() * 5); entry >= 0; entry--) {
        while (random() < 0.3) lines.push(pick(BETWEEN));
        lines.push(`${pick(['svc-a', 'svc-b', 'svc-c', 'app_1', 'web', 'worker', 'api'])}:${random() < 0.1 ? ' value' : ''}`, ...pick(BODIES));
      }
      if (random() < 0.3) lines.splice(Math.floor(random() * (lines.length + 1)), 0, pick(OTHER_LINES));
      const text = `${lines.join('\n')}${random() < 0.8 ? '\n' : ''}`;
      if (expectSameAsWholeFile(text) && /\n[a-z]/.test(text)) split++;
    }
    // Enough files of several entries are valid for the comparison to mean something.
    expect(split).toBeGreaterThan(500);
  });

  it('parses a file of 2,500 pins as a whole-file parse does', () => {
    const entries = Array.from({ length: 2500 }, (_, index) => {
      const marker = index % 3 === 0 ? ` # {"$imagepolicy": "flux-system:dev-svc-${index}-app"}` : '';
      return `# svc-${index}\nsvc-${index}:\n  app:\n    ref: ghcr.io/acme/svc-${index}:main-${index}${marker}\n    update: {pattern: "^main-(?P<ts>[0-9]+)$", extract: $ts}\n`;
    });
    const text = entries.join('\n');
    const split = YamlEntries.open(settings).source('f.yaml', text);
    const whole = wholeFile(text);
    expect(split?.data).toEqual(whole?.data);
    // First, last and some between.
    for (const index of [0, 999, 1000, 1001, 1999, 2000, 2499]) {
      for (const path of [[`svc-${index}`], [`svc-${index}`, 'app', 'ref'], [`svc-${index}`, 'app', 'update', 'extract']]) {
        expect(split?.positionOf(path), path.join('.')).toEqual(whole?.positionOf(path));
        expect(split?.valueEnd(path), path.join('.')).toBe(whole?.valueEnd(path));
      }
    }
    expect(YamlEntries.open(settings).fluxMarkers('f.yaml', text)).toEqual(fluxPolicies(text));
  });

  it('sends every file it cannot split safely to a whole-file parse', () => {
    const entries = YamlEntries.open(settings);
    for (const text of [
      '',
      '# only a comment\n',
      '---\na:\n  b: 1\n',
      '- a\n- b\n',
      'a: &x 1\nb: *x\n',
      'a: 1\na: 2\n',
      '"a": 1\n',
      '1: a\n',
      'a: [1,\n2]\n',
      '\ta: 1\n',
      ' a: 1\n',
      '\uFEFFa: 1\n',
    ]) {
      expect(entries.source('f.yaml', text), JSON.stringify(text)).toBeUndefined();
    }
  });

  it('parses an images.yaml of pins with comments, blank lines, block scalars and markers entry by entry', () => {
    const text = [
      '# pins of dev',
      '',
      'web:',
      '  app:',
      '    ref: ghcr.io/acme/web:main-1@sha256:0000000000000000000000000000000000000000000000000000000000000000 # {"$imagepolicy": "flux-system:dev-web-app"}',
      '    update: {pattern: "^main-(?P<ts>[0-9]+)$", extract: $ts, sort: numerical}',
      '# the worker',
      'worker:',
      '  app:',
      '    ref: ghcr.io/acme/worker:1.2.3',
      '    note: |',
      '      held for the release',
      '',
      '    hold: true',
      '',
    ].join('\n');
    expect(expectSameAsWholeFile(text)).toBe(true);
    expect(YamlEntries.open(settings).fluxMarkers('f.yaml', text)).toEqual(['flux-system:dev-web-app']);
  });

  it('checks only the entries whose check is not remembered, and answers nothing when one is refused', () => {
    cache = mkdtempSync(join(tmpdir(), 'manifold-entries-'));
    settings = { dir: cache, sharedHash: 'build-1', appHashes: new Map() };
    const checked: string[] = [];
    const check = (key: string, value: unknown) => {
      checked.push(key);
      return key === 'bad' ? undefined : { value: { key, value } };
    };
    const first = YamlEntries.open(settings);
    expect(first.checkedValues('overlays/dev/images.yaml', 'a:\n  x: 1\nb:\n  y: 2\n', check)).toEqual({
      a: { key: 'a', value: { x: 1 } },
      b: { key: 'b', value: { y: 2 } },
    });
    first.save();
    const second = YamlEntries.open(settings);
    expect(second.checkedValues('overlays/dev/images.yaml', 'a:\n  x: 1\nb:\n  y: 3\n', check)).toEqual({
      a: { key: 'a', value: { x: 1 } },
      b: { key: 'b', value: { y: 3 } },
    });
    expect(checked).toEqual(['a', 'b', 'b']);
    expect(second.checkedValues('overlays/dev/images.yaml', 'a:\n  x: 1\nbad:\n  z: 1\n', check)).toBeUndefined();
    // A file that cannot be cut into entries is left to the whole-file check.
    expect(second.checkedValues('overlays/dev/images.yaml', '[1, 2]\n', check)).toBeUndefined();
  });

  it('keeps the entries of the last run only, and ignores a damaged cache file', () => {
    cache = mkdtempSync(join(tmpdir(), 'manifold-entries-'));
    settings = { dir: cache, sharedHash: 'build-1', appHashes: new Map() };
    const first = 'a:\n  x: 1\nb:\n  y: 2\n';
    const entries = YamlEntries.open(settings);
    entries.source('overlays/dev/images.yaml', first);
    entries.save();
    const [file] = readdirSync(join(cache, 'entries'));
    const path = join(cache, 'entries', file ?? '');
    expect(JSON.parse(readFileSync(path, 'utf8').split('\n')[1] ?? '')[0].map(([text]: [string]) => text)).toEqual(['a:\n  x: 1\n', 'b:\n  y: 2\n']);

    const second = 'a:\n  x: 1\nb:\n  y: 3\n';
    const next = YamlEntries.open(settings);
    expect(next.source('overlays/dev/images.yaml', second)?.data).toEqual({ a: { x: 1 }, b: { y: 3 } });
    next.save();
    expect(JSON.parse(readFileSync(path, 'utf8').split('\n')[1] ?? '')[0].map(([text]: [string]) => text)).toEqual(['a:\n  x: 1\n', 'b:\n  y: 3\n']);

    // Node ranges are read from the pack only when a position is asked for, and are those of a parse.
    const kept = YamlEntries.open(settings).source('overlays/dev/images.yaml', second);
    const parsed = parseYamlSource('overlays/dev/images.yaml', second);
    for (const at of [['a'], ['b', 'y'], ['b']]) expect(kept?.positionOf(at)).toEqual(parsed.positionOf(at));
    // Ranges damaged on disk (the header intact): the entry is parsed again for them.
    const intact = readFileSync(path, 'utf8');
    const [checksums, header, ranges] = intact.split('\n');
    writeFileSync(path, [checksums, header, ranges?.replace(/[0-9]+/g, '9')].join('\n'));
    expect(readFileSync(path, 'utf8')).not.toBe(intact);
    const damaged = YamlEntries.open(settings).source('overlays/dev/images.yaml', second);
    expect(damaged?.data).toEqual({ a: { x: 1 }, b: { y: 3 } });
    for (const at of [['a'], ['b', 'y'], ['b']]) expect(damaged?.positionOf(at)).toEqual(parsed.positionOf(at));
    writeFileSync(path, intact);

    // A parse altered on disk no longer matches its checksum: it is parsed again, not trusted.
    writeFileSync(path, readFileSync(path, 'utf8').replace('"x":1', '"x":666'));
    expect(YamlEntries.open(settings).source('overlays/dev/images.yaml', second)?.data).toEqual({ a: { x: 1 }, b: { y: 3 } });
    // Another build's parses are not used either.
    settings = { dir: cache, sharedHash: 'build-2', appHashes: new Map() };
    expect(YamlEntries.open(settings).source('overlays/dev/images.yaml', second)?.data).toEqual({ a: { x: 1 }, b: { y: 3 } });
  });

  it('saves one file on its own and forgets it; a later use of it reads what was saved', () => {
    cache = mkdtempSync(join(tmpdir(), 'manifold-entries-'));
    settings = { dir: cache, sharedHash: 'build-1', appHashes: new Map() };
    const entries = YamlEntries.open(settings);
    entries.source('overlays/dev/images.yaml', 'a:\n  x: 1\n');
    entries.source('overlays/prod/images.yaml', 'b:\n  y: 2\n');
    entries.save('overlays/dev/images.yaml');
    expect(readdirSync(join(cache, 'entries'))).toEqual([`${encodeURIComponent('overlays/dev/images.yaml')}.json`]);
    expect(entries.source('overlays/dev/images.yaml', 'a:\n  x: 1\n')?.data).toEqual({ a: { x: 1 } });
    entries.save();
    expect(readdirSync(join(cache, 'entries')).length).toBe(2);
    expect(YamlEntries.open(settings).source('overlays/prod/images.yaml', 'b:\n  y: 2\n')?.data).toEqual({ b: { y: 2 } });
  });

  it('as a reader, parses the few entries synth did not keep and leaves a file mostly unkept to a whole-file parse', () => {
    cache = mkdtempSync(join(tmpdir(), 'manifold-entries-'));
    settings = { dir: cache, sharedHash: 'build-1', appHashes: new Map() };
    const file = 'overlays/dev/images.yaml';
    const text = Array.from({ length: 16 }, (_, index) => `app-${index}:\n  ref: r:${index}\n`).join('');
    // Nothing kept yet: the reader declines, the caller parses the file whole.
    expect(YamlEntries.reader(settings).source(file, text)).toBeUndefined();
    const synth = YamlEntries.open(settings);
    synth.source(file, text);
    synth.save();
    // Two entries in 16 changed: the reader parses those two and takes the rest as synth kept them.
    const moved = text.replace('r:3\n', 'r:33\n').replace('r:9\n', 'r:99\n');
    const read = YamlEntries.reader(settings).source(file, moved);
    expect(read?.data).toEqual(parseYamlSource(file, moved).data);
    expect(read?.positionOf(['app-9', 'ref'])).toEqual(parseYamlSource(file, moved).positionOf(['app-9', 'ref']));
    // Three in 16 is more than one in eight: a whole-file parse again.
    expect(YamlEntries.reader(settings).source(file, moved.replace('r:12\n', 'r:122\n'))).toBeUndefined();
  });
});
