/**
 * The repository must work in any clone: no file may reach outside it, through a relative path that
 * climbs above the root, a sibling folder of the workspace it was written in, or a machine's absolute path.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { outsideReferences } from './outside-references.ts';

const ROOT = resolve(import.meta.dirname, '..');
const TEXT_FILE = /\.(ts|mts|mjs|js|json|ya?ml|md|sh|toml)$|(^|\/)(run|\.gitignore|\.npmrc)$/;
/** Tracked files (not deleted in the working tree) and untracked ones git does not ignore, relative to the root. */
function repositoryFiles(): string[] {
  const listed = execFileSync('git', ['ls-files', '--cached', '--others', '--exclude-standard', '-z'], { cwd: ROOT, encoding: 'utf8' });
  // The lock file's paths are relative to each package, and pnpm checks them itself; this file holds examples.
  const skipped = new Set(['pnpm-lock.yaml', 'e2e/stands-alone.test.ts', 'e2e/outside-references.ts']);
  return listed.split('\0').filter((file) => file !== '' && TEXT_FILE.test(file) && !skipped.has(file) && existsSync(join(ROOT, file)));
}

describe('the repository', () => {
  it('has no file that points outside it', () => {
    const files = repositoryFiles();
    expect(files.length).toBeGreaterThan(50);
    expect(files.flatMap((file) => outsideReferences(ROOT, file, readFileSync(join(ROOT, file), 'utf8')))).toEqual([]);
  });

  it('recognises each way of pointing outside', () => {
    const sibling = ['..', '..', '..', '..', 'shared', 'flux-fixtures', 'x'].join('/');
    expect(outsideReferences(ROOT, 'cli/src/a.test.ts', `join(dir, '${sibling}')`)).toHaveLength(2);
    expect(outsideReferences(ROOT, 'cli/src/a.ts', "readFile('/work/main/overlays/dev/images.yaml')")).toEqual(['cli/src/a.ts:1: absolute path /work/main']);
    expect(outsideReferences(ROOT, 'cli/src/a.ts', "import x from '../../../elsewhere/x.ts'")).toEqual([
      'cli/src/a.ts:1: ../../../elsewhere climbs out of the repository',
    ]);
    expect(outsideReferences(ROOT, 'cli/src/a.ts', "import x from '../../constructs/src/index.ts'; const y = '/usr/bin/chromium';")).toEqual([]);
  });
});
