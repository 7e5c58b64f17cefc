/** Finds the Manifold repository a command runs in, the way git finds its work tree: walking up. */
import { statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

/** Raised outside any Manifold repository. */
export class NotARepositoryError extends Error {}

function isDirectory(path) {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

/** True for a folder that holds a Manifold repository: `apps/` and `overlays/` side by side. */
export function isRepositoryRoot(dir) {
  return isDirectory(join(dir, 'apps')) && isDirectory(join(dir, 'overlays'));
}

/**
 * The repository root: `explicit` when given (it must be one), else the nearest folder at or above
 * `start` that is one. Throws NotARepositoryError otherwise.
 */
export function findRepositoryRoot(start, explicit) {
  if (explicit !== undefined) {
    const root = resolve(explicit);
    if (!isRepositoryRoot(root)) throw new NotARepositoryError(`not a Manifold repository: ${root} has no apps/ and overlays/`);
    return root;
  }
  for (let dir = resolve(start); ; dir = dirname(dir)) {
    if (isRepositoryRoot(dir)) return dir;
    if (dirname(dir) === dir) break;
  }
  throw new NotARepositoryError(`not a Manifold repository (or any parent up to /): ${resolve(start)}`);
}
