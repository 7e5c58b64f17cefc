import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PinParses } from './pin-parses.ts';
import { parseFileEntries, YamlEntries } from './yaml-entries.ts';

/** An images.yaml of `count` pins, with comments, markers and a block scalar among them. */
function pinFile(count: number, tag: string): string {
  const entries = Array.from({ length: count }, (_, index) => {
    const name = `svc-${String(index).padStart(3, '0')}`;
    const marker = index % 2 === 0 ? ` # {"$imagepolicy": "flux-system:dev-${name}-app"}` : '';
    const note = index % 7 === 0 ? '    note: |\n      held for the release\n\n' : '';
    return `# ${name}\n${name}:\n  app:\n    ref: ghcr.io/acme/${name}:${tag}-${index}${marker}\n${note}    update: {pattern: "^main-(?P<ts>[0-9]+)$", extract: $ts, sort: numerical}\n`;
  });
  return entries.join('\n');
}

describe('pin files parsed on a worker thread', () => {
  let scratch: string;
  /** The worker's module, compiled as the launcher compiles it. */
  let script: string;
  const files = [
    { file: 'overlays/staging/images.yaml', text: pinFile(40, 'main') },
    { file: 'overlays/prod/images.yaml', text: pinFile(25, 'release') },
    { file: 'overlays/qa/images.yaml', text: '- not\n- entries\n' },
  ];

  beforeAll(async () => {
    scratch = mkdtempSync(join(tmpdir(), 'manifold-pin-parses-'));
    const outfile = join(scratch, 'pin-worker.mjs');
    // With the launcher's banner: the YAML parser's CommonJS dependencies need a require.
    const banner = "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);";
    const entryPoints = [join(import.meta.dirname, 'pin-parse-worker.ts')];
    await build({ entryPoints, bundle: true, format: 'esm', platform: 'node', outfile, banner: { js: banner }, logLevel: 'silent' });
    script = pathToFileURL(outfile).href;
  });
  afterAll(() => rmSync(scratch, { recursive: true, force: true }));

  it('answers each file with the parses the main thread makes, and nothing for a file that must be parsed whole', async () => {
    const parses = PinParses.start(script, files);
    const answers = await Promise.all(files.map(({ file }) => parses.of(file)));
    parses.close();
    expect(answers).toEqual(files.map(({ text }) => parseFileEntries(text)));
    expect(answers[0]).toHaveLength(40);
    expect(answers[2]).toBeUndefined();
    expect(parses.of('overlays/dev/images.yaml')).toBeUndefined();
  });

  it('gives the same pins, positions and markers once adopted, and keeps them for the next run', async () => {
    const cache = mkdtempSync(join(scratch, 'cache-'));
    const settings = { dir: cache, sharedHash: 'build-1' };
    const [{ file, text }] = files as [{ file: string; text: string }];
    const parses = PinParses.start(script, [{ file, text }]);
    const adopting = YamlEntries.open(settings);
    expect(adopting.hasPack(file)).toBe(false);
    const answer = await parses.of(file);
    expect(answer).toHaveLength(40);
    adopting.adopt(file, answer ?? []);
    parses.close();
    const adopted = adopting.source(file, text);
    const fresh = YamlEntries.open(undefined).source(file, text);
    expect(adopted?.data).toEqual(fresh?.data);
    for (const path of [['svc-000', 'app', 'ref'], ['svc-007', 'app', 'note'], ['svc-039']]) {
      expect(adopted?.positionOf(path)).toEqual(fresh?.positionOf(path));
    }
    expect(adopting.fluxMarkers(file, text)).toEqual(YamlEntries.open(undefined).fluxMarkers(file, text));
    expect(adopting.fluxMarkers(file, text)).toHaveLength(20);
    // Parses taken from the worker are this run's: they are written for the next run like its own.
    adopting.save();
    const next = YamlEntries.open(settings);
    expect(next.hasPack(file)).toBe(true);
    expect(next.source(file, text)?.data).toEqual(fresh?.data);
  });

  it('leaves every file to the main thread when there is no worker, or it fails', async () => {
    const broken = join(scratch, 'broken-worker.mjs');
    writeFileSync(broken, 'throw new Error("no worker today");\n');
    const failed = PinParses.start(pathToFileURL(broken).href, files);
    expect(await Promise.all(files.map(({ file }) => failed.of(file)))).toEqual([undefined, undefined, undefined]);
    const none = PinParses.start(undefined, files);
    expect(none.of(files[0]?.file ?? '')).toBeUndefined();
  });
});
