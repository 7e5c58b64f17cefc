import { mkdirSync, mkdtempSync, rmSync, statSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { contentHash } from '../files/content-hash.ts';
import { DistTree } from '../output/dist-tree.ts';
import type { RenderCacheSettings } from '../render/render-cache.ts';
import { stampHead, verifiedStamp, writeStamp } from './environment-stamps.ts';

describe('environment stamps', () => {
  let root: string;
  let cache: RenderCacheSettings;
  const files = { 'kustomization.yaml': 'resources: []\n', 'web/deployment-web.yaml': 'kind: Deployment\n', 'notes.txt': 'mine\n' };
  const hashes = new Map(
    Object.entries(files)
      .filter(([path]) => path !== 'notes.txt')
      .map(([path, text]) => [path, contentHash(text)]),
  );
  const nothing = { files: { paths: [], sizes: [], mtimes: [], ctimes: [], inodes: [] }, folders: { paths: [], mtimes: [], ctimes: [], inodes: [] } };
  const listed = { generated: ['dist/dev/kustomization.yaml', 'dist/dev/web/deployment-web.yaml'], foreign: ['dist/dev/notes.txt'], hashes };

  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'manifold-stamps-'));
    for (const [path, text] of Object.entries(files)) {
      mkdirSync(join(root, 'dist', 'dev', path, '..'), { recursive: true });
      writeFileSync(join(root, 'dist', 'dev', path), text);
    }
    cache = { dir: join(root, 'cache'), sharedHash: 'build', appHashes: new Map() };
  });
  afterEach(() => {
    rmSync(root, { recursive: true, force: true });
  });

  it('shows the environment current for the same key, and vouches for untouched generated files whatever the key', async () => {
    expect(stampHead('dev', cache)).toEqual({ bytes: 0 });
    await writeStamp(root, 'dev', cache, 'key-1', listed);
    // The head of the stamp file tells the key it was recorded for, without the rest being parsed.
    expect(stampHead('dev', cache)).toEqual({ key: 'key-1', bytes: statSync(join(cache.dir, 'stamps', 'dev.json')).size });
    expect((await verifiedStamp(root, 'dev', 'key-1', cache)).stamp?.generated).toEqual(listed.generated);

    const moved = await verifiedStamp(root, 'dev', 'key-2', cache);
    expect(moved.stamp).toBeUndefined();
    // Foreign files have no recorded hash: they are always read.
    expect(moved.known?.vouched).toEqual(hashes);
    expect(moved.known?.paths).toEqual(['kustomization.yaml', 'notes.txt', 'web/deployment-web.yaml']);

    // Touching a file (even back to its old time) changes its identity: it is read again.
    utimesSync(join(root, 'dist', 'dev', 'web', 'deployment-web.yaml'), 1, 1);
    expect([...((await verifiedStamp(root, 'dev', 'key-2', cache)).known?.vouched.keys() ?? [])]).toEqual(['kustomization.yaml']);
  });

  it('sees a file added to any folder, an empty one or one a write made, without listing the unchanged ones', async () => {
    mkdirSync(join(root, 'dist', 'dev', 'empty'));
    await writeStamp(root, 'dev', cache, 'key-1', listed);
    expect((await verifiedStamp(root, 'dev', 'key-1', cache)).stamp).toBeDefined();
    writeFileSync(join(root, 'dist', 'dev', 'empty', 'new.yaml'), 'x: 1\n');
    expect((await verifiedStamp(root, 'dev', 'key-1', cache)).stamp).toBeUndefined();

    // A write that made a folder records it too.
    const before = (await verifiedStamp(root, 'dev', 'key-1', cache)).tree ?? nothing;
    mkdirSync(join(root, 'dist', 'dev', 'api'));
    writeFileSync(join(root, 'dist', 'dev', 'api', 'service-api.yaml'), 'kind: Service\n');
    await writeStamp(root, 'dev', cache, 'key-2', listed, { written: { before, paths: ['api/service-api.yaml'] } });
    expect((await verifiedStamp(root, 'dev', 'key-2', cache)).stamp).toBeDefined();
    const other = await verifiedStamp(root, 'dev', 'key-other', cache);
    expect(other.tree?.folders.paths).toEqual(['', 'api', 'empty', 'web']);
    expect(other.known?.paths).toContain('api/service-api.yaml');
    writeFileSync(join(root, 'dist', 'dev', 'api', 'other.yaml'), 'x: 1\n');
    expect((await verifiedStamp(root, 'dev', 'key-2', cache)).stamp).toBeUndefined();
  });

  it('reads a vouched file only when its bytes are asked for, and compares its recorded hash instead', async () => {
    const live = join(root, 'dist', 'dev');
    const paths = ['kustomization.yaml', 'notes.txt', 'web/deployment-web.yaml'];
    const tree = DistTree.read(live, { paths, vouched: new Map([['web/deployment-web.yaml', contentHash('kind: Deployment\nrecorded: true\n')]]) });
    expect([...tree.keys()]).toEqual(paths);
    // The recorded hash decides, not the bytes on disk (which are not read).
    expect(tree.holds('web/deployment-web.yaml', 'kind: Deployment\nrecorded: true\n')).toBe(true);
    expect(tree.holds('web/deployment-web.yaml', 'kind: Deployment\n')).toBe(false);
    expect(tree.holds('notes.txt', 'mine\n')).toBe(true);
    expect(tree.get('web/deployment-web.yaml')?.toString()).toBe('kind: Deployment\n');
    expect(tree.holds('web/deployment-web.yaml', 'kind: Deployment\n')).toBe(true);
  });

  it('takes the files a stamp check listed without listing folders: links stay links, files gone since are left out', async () => {
    const live = join(root, 'dist', 'dev');
    symlinkSync('notes.txt', join(live, 'link.yaml'));
    await writeStamp(root, 'dev', cache, 'key-1', listed);
    const check = await verifiedStamp(root, 'dev', 'key-2', cache);
    expect(check.known?.paths).toEqual(['kustomization.yaml', 'link.yaml', 'notes.txt', 'web/deployment-web.yaml']);
    // Only the listing decides: a file added since is not seen, one removed since is left out.
    writeFileSync(join(live, 'added.yaml'), 'x: 1\n');
    rmSync(join(live, 'notes.txt'));
    const tree = DistTree.read(live, check.known);
    expect([...tree.keys()]).toEqual(['kustomization.yaml', 'link.yaml', 'web/deployment-web.yaml']);
    expect(tree.get('link.yaml')?.toString()).toBe('symbolic link to notes.txt');
    expect([...DistTree.read(live).keys()]).toEqual(['added.yaml', 'kustomization.yaml', 'link.yaml', 'web/deployment-web.yaml']);
  });

  it('records after a write only what the write changed, and nothing when the folder changed beside a check', async () => {
    const before = (await verifiedStamp(root, 'dev', 'key-1', cache)).tree ?? nothing;
    writeFileSync(join(root, 'dist', 'dev', 'web', 'deployment-web.yaml'), 'kind: Deployment\nspec: {}\n');
    const written = new Map([...hashes, ['web/deployment-web.yaml', contentHash('kind: Deployment\nspec: {}\n')]]);
    await writeStamp(root, 'dev', cache, 'key-1', { ...listed, hashes: written }, { written: { before, paths: ['web/deployment-web.yaml'] } });
    expect((await verifiedStamp(root, 'dev', 'key-1', cache)).stamp).toBeDefined();

    const seen = (await verifiedStamp(root, 'dev', 'key-3', cache)).tree;
    writeFileSync(join(root, 'dist', 'dev', 'extra.yaml'), 'x: 1\n');
    await writeStamp(root, 'dev', cache, 'key-3', listed, { expected: seen });
    expect((await verifiedStamp(root, 'dev', 'key-3', cache)).stamp).toBeUndefined();
  });
});
