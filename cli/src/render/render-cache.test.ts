import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type AppRender, RenderCache, type RenderCacheSettings } from './render-cache.ts';

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
    },
  ],
});

describe('render cache', () => {
  let dir: string;
  let settings: RenderCacheSettings;
  const apps = Array.from({ length: 40 }, (_, index) => `app-${index}`);
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
    for (const app of apps) expect(second.get('dev', app, `key-${app}`)).toEqual(render(app, 1));
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
    expect(fourth.peek('dev', 'app-7', 'key-app-7-next')).toEqual(render('app-7', 3));
    expect(fourth.peek('dev', 'app-13', 'key-app-13')).toEqual(render('app-13', 1));
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
    expect(next.peek('dev', 'app-3', 'key-app-3')).toEqual(render('app-3', 1));
    expect(next.peek('prod', 'app-1', 'key-prod')).toEqual(render('app-1', 2));
  });
});
