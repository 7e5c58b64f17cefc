import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { contentHash, DistTree } from '../dist/dist-tree.ts';
import { useRenderCache } from '../render/render-cache.ts';
import { verifiedStamp, writeStamp } from './environment-stamps.ts';

describe('environment stamps', () => {
  let root: string;
  const files = { 'kustomization.yaml': 'resources: []\n', 'web/deployment-web.yaml': 'kind: Deployment\n', 'notes.txt': 'mine\n' };
  const hashes = new Map(
    Object.entries(files)
      .filter(([path]) => path !== 'notes.txt')
      .map(([path, text]) => [path, contentHash(text)]),
  );
  const listed = { generated: ['dist/dev/kustomization.yaml', 'dist/dev/web/deployment-web.yaml'], foreign: ['dist/dev/notes.txt'], hashes };

  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'manifold-stamps-'));
    for (const [path, text] of Object.entries(files)) {
      mkdirSync(join(root, 'dist', 'dev', path, '..'), { recursive: true });
      writeFileSync(join(root, 'dist', 'dev', path), text);
    }
    useRenderCache({ dir: join(root, 'cache'), sharedHash: 'build', appHashes: new Map() });
  });
  afterEach(() => {
    useRenderCache(undefined);
    rmSync(root, { recursive: true, force: true });
  });

  it('shows the environment current for the same key, and vouches for untouched generated files whatever the key', async () => {
    await writeStamp(root, 'dev', 'key-1', listed);
    expect((await verifiedStamp(root, 'dev', 'key-1')).stamp?.generated).toEqual(listed.generated);

    const moved = await verifiedStamp(root, 'dev', 'key-2');
    expect(moved.stamp).toBeUndefined();
    // Foreign files have no recorded hash: they are always read.
    expect(moved.vouched).toEqual(hashes);

    // Touching a file (even back to its old time) changes its identity: it is read again.
    utimesSync(join(root, 'dist', 'dev', 'web', 'deployment-web.yaml'), 1, 1);
    expect([...((await verifiedStamp(root, 'dev', 'key-2')).vouched?.keys() ?? [])]).toEqual(['kustomization.yaml']);
  });

  it('sees a file added to any folder, an empty one or one a write made, without listing the unchanged ones', async () => {
    mkdirSync(join(root, 'dist', 'dev', 'empty'));
    await writeStamp(root, 'dev', 'key-1', listed);
    expect((await verifiedStamp(root, 'dev', 'key-1')).stamp).toBeDefined();
    writeFileSync(join(root, 'dist', 'dev', 'empty', 'new.yaml'), 'x: 1\n');
    expect((await verifiedStamp(root, 'dev', 'key-1')).stamp).toBeUndefined();

    // A write that made a folder records it too.
    const before = (await verifiedStamp(root, 'dev', 'key-1')).tree ?? { files: [], folders: [] };
    mkdirSync(join(root, 'dist', 'dev', 'api'));
    writeFileSync(join(root, 'dist', 'dev', 'api', 'service-api.yaml'), 'kind: Service\n');
    await writeStamp(root, 'dev', 'key-2', listed, { written: { before, paths: ['api/service-api.yaml'] } });
    const stamped = await verifiedStamp(root, 'dev', 'key-2');
    expect(stamped.stamp?.folders.map(([path]) => path)).toEqual(['', 'api', 'empty', 'web']);
    expect(stamped.tree?.files.map(([path]) => path)).toContain('api/service-api.yaml');
    writeFileSync(join(root, 'dist', 'dev', 'api', 'other.yaml'), 'x: 1\n');
    expect((await verifiedStamp(root, 'dev', 'key-2')).stamp).toBeUndefined();
  });

  it('reads a vouched file only when its bytes are asked for, and compares its recorded hash instead', async () => {
    const live = join(root, 'dist', 'dev');
    const tree = DistTree.read(live, new Map([['web/deployment-web.yaml', contentHash('kind: Deployment\nrecorded: true\n')]]));
    expect([...tree.keys()]).toEqual(['kustomization.yaml', 'notes.txt', 'web/deployment-web.yaml']);
    // The recorded hash decides, not the bytes on disk (which are not read).
    expect(tree.holds('web/deployment-web.yaml', 'kind: Deployment\nrecorded: true\n')).toBe(true);
    expect(tree.holds('web/deployment-web.yaml', 'kind: Deployment\n')).toBe(false);
    expect(tree.holds('notes.txt', 'mine\n')).toBe(true);
    expect(tree.get('web/deployment-web.yaml')?.toString()).toBe('kind: Deployment\n');
    expect(tree.holds('web/deployment-web.yaml', 'kind: Deployment\n')).toBe(true);
  });

  it('records after a write only what the write changed, and nothing when the folder changed beside a check', async () => {
    const before = (await verifiedStamp(root, 'dev', 'key-1')).tree ?? { files: [], folders: [] };
    writeFileSync(join(root, 'dist', 'dev', 'web', 'deployment-web.yaml'), 'kind: Deployment\nspec: {}\n');
    const written = new Map([...hashes, ['web/deployment-web.yaml', contentHash('kind: Deployment\nspec: {}\n')]]);
    await writeStamp(root, 'dev', 'key-1', { ...listed, hashes: written }, { written: { before, paths: ['web/deployment-web.yaml'] } });
    expect((await verifiedStamp(root, 'dev', 'key-1')).stamp).toBeDefined();

    const seen = (await verifiedStamp(root, 'dev', 'key-3')).tree;
    writeFileSync(join(root, 'dist', 'dev', 'extra.yaml'), 'x: 1\n');
    await writeStamp(root, 'dev', 'key-3', listed, { expected: seen });
    expect((await verifiedStamp(root, 'dev', 'key-3')).stamp).toBeUndefined();
  });
});
