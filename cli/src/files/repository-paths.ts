/** Keeps reads and writes inside the repository: the folders Manifold uses must be real folders, not links. */
import { lstatSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError } from '../errors/config-error.ts';

/**
 * Throws a ConfigError when `path` (relative to `root`, forward slashes) or any folder on the way to
 * it is a symbolic link: a link could lead reads or writes outside the repository. A missing path is fine.
 */
export function assertRealPath(root: string, path: string): void {
  let current = '';
  for (const part of path.split('/')) {
    current = current === '' ? part : `${current}/${part}`;
    let isLink: boolean;
    try {
      isLink = lstatSync(join(root, current)).isSymbolicLink();
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw error;
    }
    if (isLink) {
      throw new ConfigError({
        file: current,
        line: 1,
        col: 1,
        message: 'is a symbolic link; Manifold reads and writes only real files and folders inside the repository',
        hint: `replace ${current} with the folder or file it points to`,
      });
    }
  }
}
