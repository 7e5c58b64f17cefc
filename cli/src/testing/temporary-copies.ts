/** Test helper: writable copies of the example repository, removed after each test. */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach } from 'vitest';
import { exampleCopy } from './run-command.ts';
import { git } from './test-git.ts';

/**
 * Registers removal after each test and returns a function that makes a new copy; with `committed`,
 * the copy is a git repository with everything committed on main.
 */
export function exampleCopies(): (options?: { committed?: boolean }) => Promise<string> {
  const removals: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const remove of removals.splice(0)) await remove();
  });
  return async ({ committed = false } = {}) => {
    const { root, remove } = await exampleCopy();
    removals.push(remove);
    if (committed) {
      await writeFile(join(root, '.gitignore'), 'node_modules\n');
      git(root, 'init', '--quiet', '--initial-branch=main');
      git(root, 'add', '-A');
      git(root, 'commit', '--quiet', '-m', 'example repository');
    }
    return root;
  };
}
