import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { RenderCacheSettings } from '../render/render-cache.ts';
import { stampKey } from './stamp-key.ts';

describe('stamp keys', () => {
  let root: string;
  const settings = (hashes: Record<string, string>): RenderCacheSettings => ({
    dir: join(root, 'cache'),
    sharedHash: 'shared',
    appHashes: new Map(Object.entries(hashes).map(([app, hash]) => [`apps/${app}/src/index.ts`, hash])),
  });
  const code = { web: 'w1', api: 'a1', 'web-admin': 'x1' };
  /** The key of dev with `environment` as its settings file, under the app code hashes `hashes`. */
  const keyOf = async (environment: string, hashes: Record<string, string>) => {
    writeFileSync(join(root, 'overlays/dev/environment.yaml'), environment);
    return stampKey(root, 'dev', settings(hashes));
  };

  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'manifold-stamp-key-'));
    mkdirSync(join(root, 'overlays/dev'), { recursive: true });
    writeFileSync(join(root, 'overlays/dev/images.yaml'), 'api:\n  api:\n    ref: ghcr.io/acme/api:1.0.0\n');
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('covers the code of every app without an apps: list, and of the apps a list names with one, however it is written', async () => {
    const base = 'namespace: dev\ndomain: dev.example\n';
    const lists = [
      `${base}apps:\n  - api\n`,
      `${base}apps: [api]\n`,
      `${base}apps:\n  - "api" # quoted\n`,
      `${base}defaults: &apps-list\n  - api\napps: *apps-list\n`,
      `${base}apps:\n  - "\\x61pi"\n`,
    ];
    // Without a list, every app's code counts.
    expect(await keyOf(base, code)).not.toBe(await keyOf(base, { ...code, web: 'w2' }));
    for (const environment of lists) {
      const key = await keyOf(environment, code);
      // web and web-admin are not deployed: editing them keeps the key; api is, and an app added or removed moves it.
      expect(await keyOf(environment, { ...code, web: 'w2', 'web-admin': 'x2' }), environment).toBe(key);
      expect(await keyOf(environment, { ...code, api: 'a2' }), environment).not.toBe(key);
      expect(await keyOf(environment, { ...code, jobs: 'j1' }), environment).not.toBe(key);
    }
  });

  it('counts every app when the list cannot be read', async () => {
    const broken = 'namespace: dev\napps: [api\n';
    expect(await keyOf(broken, code)).not.toBe(await keyOf(broken, { ...code, web: 'w2' }));
  });
});
