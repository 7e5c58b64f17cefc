/** Reading dist/<env>/ and recovering it after an interrupted swap. */
import { readdir, readFile, rename, rm, stat } from 'node:fs/promises';
import { join, relative } from 'node:path';

/** Where the folders of one environment's swap live inside dist/. */
export function swapPaths(distDir: string, env: string): { live: string; previous: string; nextPrefix: string } {
  return { live: join(distDir, env), previous: join(distDir, `.${env}.previous`), nextPrefix: join(distDir, `.${env}.next-`) };
}

/** Every file below `dir` by path relative to it (forward slashes); empty when `dir` does not exist. */
export async function readTree(dir: string): Promise<Map<string, Buffer>> {
  const files = new Map<string, Buffer>();
  const entries = await readdir(dir, { recursive: true, withFileTypes: true }).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return [];
    throw error;
  });
  for (const entry of entries) {
    if (!entry.isFile()) continue;
    const path = join(entry.parentPath, entry.name);
    files.set(relative(dir, path).split('\\').join('/'), await readFile(path));
  }
  return new Map([...files.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/**
 * Finishes or undoes a swap that a killed process left half done, so that dist/<env> holds
 * either the complete old tree or the complete new one. Call with the dist lock held.
 */
export async function recoverInterruptedSwap(distDir: string, env: string): Promise<void> {
  const { live, previous, nextPrefix } = swapPaths(distDir, env);
  const hasLive = await exists(live);
  if (await exists(previous)) {
    if (hasLive) await rm(previous, { recursive: true, force: true });
    else await rename(previous, live);
  }
  const siblings = await readdir(distDir).catch(() => []);
  for (const name of siblings) {
    const path = join(distDir, name);
    if (path.startsWith(nextPrefix)) await rm(path, { recursive: true, force: true });
  }
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}
