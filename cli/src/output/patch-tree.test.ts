import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { applyPatch, completePatch, finishPatch, stagePatch } from './patch-tree.ts';

/** A live tree with `files` (content by path), and where its staging and patch folders go. */
function tree(files: Record<string, string>) {
  const dist = mkdtempSync(join(tmpdir(), 'manifold-patch-'));
  const live = join(dist, 'dev');
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(join(live, path, '..'), { recursive: true });
    writeFileSync(join(live, path), text);
  }
  return { dist, live, staging: join(dist, '.dev.next-test'), patch: join(dist, '.dev.patch') };
}

/** Every file below `dir` with its content, and every folder (with a trailing slash). */
function contents(dir: string): Record<string, string> {
  const result: Record<string, string> = {};
  for (const entry of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    const path = join(entry.parentPath, entry.name).slice(dir.length + 1);
    result[entry.isDirectory() ? `${path}/` : path] = entry.isDirectory() ? '' : readFileSync(join(dir, path), 'utf8');
  }
  return result;
}

const BEFORE = { 'web/deployment.yaml': 'old\n', 'web/service.yaml': 'svc\n', 'gone/job.yaml': 'job\n', blocked: 'a file\n' };

describe('patching dist/<env>/ in place', () => {
  it('replaces, adds (in new folders) and removes files, and removes the folders removals emptied', () => {
    const { dist, live, staging, patch } = tree(BEFORE);
    stagePatch(
      staging,
      new Map([
        ['web/deployment.yaml', 'new\n'],
        ['api/deep/config.yaml', 'added\n'],
      ]),
      ['gone/job.yaml'],
    );
    renameSync(staging, patch);
    applyPatch(live, patch);
    finishPatch(live, patch);
    expect(contents(live)).toEqual({
      'api/': '',
      'api/deep/': '',
      'api/deep/config.yaml': 'added\n',
      blocked: 'a file\n',
      'web/': '',
      'web/deployment.yaml': 'new\n',
      'web/service.yaml': 'svc\n',
    });
    expect(readdirSync(dist)).toEqual(['dev']);
  });

  it('undoes every move when one fails, leaving no folder it made', () => {
    const { live, staging, patch } = tree(BEFORE);
    const before = contents(live);
    // The last file cannot be placed: its folder would be where a file is.
    stagePatch(
      staging,
      new Map([
        ['web/deployment.yaml', 'new\n'],
        ['api/deep/config.yaml', 'added\n'],
        ['blocked/inside.yaml', 'cannot be\n'],
      ]),
      [],
    );
    renameSync(staging, patch);
    expect(() => applyPatch(live, patch)).toThrow(/ENOTDIR|EEXIST/);
    expect(contents(live)).toEqual(before);
  });

  it('completes a committed patch that a killed run left, however far it got, and again without harm', () => {
    const { live, staging, patch } = tree(BEFORE);
    stagePatch(staging, new Map([['web/deployment.yaml', 'new\n']]), ['gone/job.yaml']);
    renameSync(staging, patch);
    // Killed after moving the old file aside, before moving the new one in.
    mkdirSync(join(patch, 'old', 'web'), { recursive: true });
    renameSync(join(live, 'web/deployment.yaml'), join(patch, 'old', 'web/deployment.yaml'));
    completePatch(live, patch);
    completePatch(live, patch);
    expect(contents(live)).toEqual({ blocked: 'a file\n', 'web/': '', 'web/deployment.yaml': 'new\n', 'web/service.yaml': 'svc\n' });
    expect(existsSync(patch)).toBe(false);
  });
});
