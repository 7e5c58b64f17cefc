import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type AppRender, RenderCache, RenderCacheMiss, type RenderCacheSettings } from './render-cache.ts';

const render = (app: string, replicas: number): AppRender => ({
  images: ['app'],
  secrets: [],
  objects: [
    {
      key: `apps/Deployment/${app}`,
      label: `Deployment ${app}`,
      path: `${app}/deployment-${app}.yaml`,
      bytes: `kind: Deployment\nmetadata:\n  name: ${app}\nspec:\n  replicas: ${replicas}\n`,
      ownership: 'o'.repeat(64),
      sha256: 's'.repeat(64),
      constructPath: `${app}/Deployment`,
      line: 1,
      col: 1,
      marks: [],
    },
  ],
});

/** Every field of a render's objects, read (an object of the contents list reads its shard). */
const read = (render: AppRender | undefined) =>
  render && {
    ...render,
    objects: render.objects.map(({ key, label, path, bytes, ownership, sha256, constructPath, line, col, marks }) => ({
      key,
      label,
      path,
      bytes,
      ownership,
      sha256,
      constructPath,
      line,
      col,
      marks,
    })),
  };

describe('render cache', () => {
  let dir: string;
  let settings: RenderCacheSettings;
  const apps = Array.from({ length: 40 }, (_, index) => `app-${index}`);
  /** The shards of dev's renders by file name. */
  const packFiles = () => new Map(readdirSync(join(dir, 'dev.renders')).map((name) => [name, readFileSync(join(dir, 'dev.renders', name), 'latin1')]));

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'manifold-renders-'));
    settings = { dir, sharedHash: 'build', appHashes: new Map() };
  });
  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('keeps each render, and rewrites only the file of an app rendered again or dropped', () => {
    const first = RenderCache.open(settings);
    for (const app of apps) first.set('dev', app, `key-${app}`, render(app, 1));
    first.save();
    const before = packFiles();
    expect(before.size).toBeGreaterThan(1);

    const second = RenderCache.open(settings);
    for (const app of apps) expect(read(second.get('dev', app, `key-${app}`))).toEqual(render(app, 1));
    expect(second.get('dev', 'app-0', 'another key')).toBeUndefined();
    second.set('dev', 'app-7', 'key-app-7-next', render('app-7', 3));
    second.save();
    const after = packFiles();
    expect([...after].filter(([name, bytes]) => before.get(name) !== bytes)).toHaveLength(1);

    // A run without app-12 drops it: its file is rewritten, the others stay.
    const third = RenderCache.open(settings);
    for (const app of apps) if (app !== 'app-12') third.get('dev', app, app === 'app-7' ? 'key-app-7-next' : `key-${app}`);
    third.save();
    expect([...packFiles()].filter(([name, bytes]) => after.get(name) !== bytes)).toHaveLength(1);
    const fourth = RenderCache.open(settings);
    expect(fourth.peek('dev', 'app-12', 'key-app-12')).toBeUndefined();
    expect(read(fourth.peek('dev', 'app-7', 'key-app-7-next'))).toEqual(render('app-7', 3));
    expect(read(fourth.peek('dev', 'app-13', 'key-app-13'))).toEqual(render('app-13', 1));
  });

  it('reads a shard’s texts only for bytes, and a damaged text as a miss', () => {
    const first = RenderCache.open(settings);
    for (const app of apps) first.set('dev', app, `key-${app}`, render(app, 1));
    first.save();
    const [name, bytes] = [...packFiles()].find(([, text]) => text.includes('name: app-3\n')) ?? ['', ''];
    // The last text changed, the header not: what the header lists is answered, the bytes are not trusted.
    writeFileSync(join(dir, 'dev.renders', name), `${bytes.slice(0, -2)}!\n`, 'latin1');
    const listed = RenderCache.open(settings).get('dev', 'app-3', 'key-app-3');
    const [object] = listed?.objects ?? [];
    expect([object?.path, object?.sha256, object?.ownership, object?.key, listed?.images]).toEqual([
      'app-3/deployment-app-3.yaml',
      's'.repeat(64),
      'o'.repeat(64),
      'apps/Deployment/app-3',
      ['app'],
    ]);
    expect(() => object?.bytes).toThrow(RenderCacheMiss);
    expect(() => object?.label).toThrow(RenderCacheMiss);
    // A damaged header is no shard at all.
    writeFileSync(join(dir, 'dev.renders', name), `${bytes.slice(0, 200)}x${bytes.slice(201)}`, 'latin1');
    expect(RenderCache.open(settings).get('dev', 'app-3', 'key-app-3')).toBeUndefined();
  });

  it('saves one environment on its own, while another is still being rendered', () => {
    const cache = RenderCache.open(settings);
    for (const app of apps) cache.set('dev', app, `key-${app}`, render(app, 1));
    cache.set('prod', 'app-1', 'key-prod', render('app-1', 2));
    cache.save('dev');
    expect(packFiles().size).toBeGreaterThan(1);
    expect(readdirSync(dir)).toEqual(['dev.renders']);
    cache.save();
    expect(readdirSync(dir).sort()).toEqual(['dev.renders', 'prod.renders']);
    const next = RenderCache.open(settings);
    expect(read(next.peek('dev', 'app-3', 'key-app-3'))).toEqual(render('app-3', 1));
    expect(read(next.peek('prod', 'app-1', 'key-prod'))).toEqual(render('app-1', 2));
  });
});
