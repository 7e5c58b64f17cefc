/** Real git repositories for end-to-end tests: a copy of this repository committed on main, and a bare remote. */
import { mkdtemp, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { git, gitWith } from '../cli/src/testing/test-git.ts';
import { copyRepository, REPO_ROOT } from './temp-repo.ts';

export { git, gitWith };

/** A copy of this repository's example as a git repository with one commit on main. */
export async function committedCopy(): Promise<string> {
  const root = await copyRepository();
  await writeFile(join(root, '.gitignore'), 'node_modules\n');
  git(root, 'init', '--quiet', '--initial-branch=main');
  git(root, 'add', '-A');
  git(root, 'commit', '--quiet', '-m', 'example repository');
  return root;
}

/** A bare remote holding `source`'s main, and a function that clones it with packages resolvable. */
export async function bareRemoteOf(source: string): Promise<{ remote: string; clone: (name: string) => Promise<string> }> {
  const remote = join(await mkdtemp(join(tmpdir(), 'manifold-remote-')), 'repo.git');
  git(source, 'clone', '--quiet', '--bare', source, remote);
  const clone = async (name: string) => {
    const dir = join(await mkdtemp(join(tmpdir(), `manifold-${name}-`)), 'repo');
    git(tmpdir(), 'clone', '--quiet', remote, dir);
    await symlink(join(REPO_ROOT, 'node_modules'), join(dir, 'node_modules'));
    return dir;
  };
  return { remote, clone };
}

/** The environment for running this repository's CI scripts in tests: the real CLI, a CI committer. */
export function scriptEnvironment(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return {
    ...process.env,
    MANIFOLD: `node ${join(REPO_ROOT, 'cli/bin/manifold.mjs')}`,
    GIT_COMMITTER_NAME: 'ci',
    GIT_COMMITTER_EMAIL: 'ci@example.com',
    ...extra,
  };
}
