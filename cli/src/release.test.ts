/** The release rules: both packages share one version, each changelog describes it, init's tools match this repository's. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { NEW_REPOSITORY_TOOLS } from './commands/init.ts';

const REPOSITORY = join(import.meta.dirname, '..', '..');
const read = (path: string) => readFileSync(join(REPOSITORY, path), 'utf8');
const manifest = (path: string) => JSON.parse(read(path)) as Record<string, unknown> & { version: string };

describe('a release', () => {
  it('gives @manifold/cli and @manifold/constructs one version, each with its changelog entry', () => {
    const cli = manifest('cli/package.json');
    const constructs = manifest('constructs/package.json');
    expect(cli.version).toBe(constructs.version);
    for (const folder of ['cli', 'constructs']) expect(read(`${folder}/CHANGELOG.md`)).toContain(`\n## ${cli.version}\n`);
    expect(cli.peerDependencies).toEqual(constructs.peerDependencies);
  });

  it('makes new repositories with the pnpm, Node.js line and turbo this repository uses', () => {
    const root = JSON.parse(read('package.json')) as { packageManager: string; devDependencies: Record<string, string> };
    expect(NEW_REPOSITORY_TOOLS.packageManager).toBe(root.packageManager);
    expect(NEW_REPOSITORY_TOOLS.nodeLine).toBe(read('.node-version').trim());
    expect(NEW_REPOSITORY_TOOLS.turbo).toBe(`^${root.devDependencies.turbo}`);
  });
});
