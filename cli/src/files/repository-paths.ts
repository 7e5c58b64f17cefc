/** Keeps reads and writes inside the repository: the folders Manifold uses must be real folders, not links. */
import { lstatSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError } from '../errors/config-error.ts';

/**
 * The first of `path` (relative to `root`, forward slashes) and the folders on the way to it that is a
 * symbolic link, relative to `root`; undefined when none is (a missing part ends the search).
 */
export function linkOnPath(root: string, path: string): string | undefined {
  let current = '';
  for (const part of path.split('/').filter(Boolean)) {
    current = current === '' ? part : `${current}/${part}`;
    const info = lstatSync(join(root, current), { throwIfNoEntry: false });
    if (!info) return undefined;
    if (info.isSymbolicLink()) return current;
  }
  return undefined;
}

/**
 * Throws a ConfigError when `path` (relative to `root`, forward slashes) or any folder on the way to
 * it is a symbolic link: a link could lead reads or writes outside the repository. A missing path is fine.
 */
export function assertRealPath(root: string, path: string): void {
  const current = linkOnPath(root, path);
  if (current === undefined) return;
  throw new ConfigError({
    file: current,
    line: 1,
    col: 1,
    message: 'is a symbolic link; Manifold reads and writes only real files and folders inside the repository',
    hint: `replace ${current} with the folder or file it points to`,
  });
}
