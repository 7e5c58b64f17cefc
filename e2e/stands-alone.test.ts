/**
 * The repository must work in any clone: no file may reach outside it, through a relative path that
 * climbs above the root, a sibling folder of the workspace it was written in, or a machine's absolute path.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '..');
const TEXT_FILE = /\.(ts|mts|mjs|js|json|ya?ml|md|sh|toml)$|(^|\/)(run|\.gitignore|\.npmrc)$/;
/** Absolute paths of a developer's machine, never of the image a workflow or container runs on. */
const MACHINE_PATH = /(?<![\w.$/-])\/(work|home|Users|root)\/[\w.-]+/;
const CLIMBING_PATH = /(?:\.\.\/)+[\w.-]+/g;

/** Tracked files and untracked ones git does not ignore, relative to the root. */
function repositoryFiles(): string[] {
  const listed = execFileSync('git', ['ls-files', '--cached', '--others', '--exclude-standard', '-z'], { cwd: ROOT, encoding: 'utf8' });
  // The lock file's paths are relative to each package, and pnpm checks them itself; this file holds examples.
  const skipped = new Set(['pnpm-lock.yaml', 'e2e/stands-alone.test.ts']);
  return listed.split('\0').filter((file) => file !== '' && TEXT_FILE.test(file) && !skipped.has(file));
}

/** Every place in `text` (a file at `file`) that points outside the repository. */
export function outsideReferences(file: string, text: string): string[] {
  const found: string[] = [];
  text.split('\n').forEach((line, index) => {
    const where = `${file}:${index + 1}`;
    if (line.includes('../shared') || /\bshared\/(docs|flux-fixtures)\b/.test(line)) found.push(`${where}: names ../shared`);
    const machinePath = MACHINE_PATH.exec(line);
    if (machinePath) found.push(`${where}: absolute path ${machinePath[0]}`);
    for (const [climb] of line.matchAll(CLIMBING_PATH)) {
      if (relative(ROOT, resolve(ROOT, dirname(file), climb)).startsWith('..')) found.push(`${where}: ${climb} climbs out of the repository`);
    }
  });
  return found;
}

describe('the repository', () => {
  it('has no file that points outside it', () => {
    const files = repositoryFiles();
    expect(files.length).toBeGreaterThan(50);
    expect(files.flatMap((file) => outsideReferences(file, readFileSync(join(ROOT, file), 'utf8')))).toEqual([]);
  });

  it('recognises each way of pointing outside', () => {
    expect(outsideReferences('cli/src/a.test.ts', "join(dir, '../../../../shared/flux-fixtures/x')")).toHaveLength(2);
    expect(outsideReferences('cli/src/a.ts', "readFile('/work/main/overlays/dev/images.yaml')")).toEqual([
      'cli/src/a.ts:1: absolute path /work/main',
    ]);
    expect(outsideReferences('cli/src/a.ts', "import x from '../../../elsewhere/x.ts'")).toEqual([
      'cli/src/a.ts:1: ../../../elsewhere climbs out of the repository',
    ]);
    expect(outsideReferences('cli/src/a.ts', "import x from '../../constructs/src/index.ts'; const y = '/usr/bin/chromium';")).toEqual([]);
  });
});
