/** Reading dist/<env>/ and recovering it after an interrupted swap. */
import { chmodSync, type Dirent, existsSync, readdirSync, readFileSync, readlinkSync, renameSync, rmSync } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import { describeWriteFailure } from './dist-write-error.ts';
import { completePatch } from './patch-tree.ts';

/** Where the folders of one environment's swap live inside dist/. */
export function swapPaths(distDir: string, env: string): { live: string; previous: string; nextPrefix: string; patch: string } {
  return {
    live: join(distDir, env),
    previous: join(distDir, `.${env}.previous`),
    nextPrefix: join(distDir, `.${env}.next-`),
    patch: join(distDir, `.${env}.patch`),
  };
}

/**
 * Every file below `dir` by path relative to it (forward slashes); empty when `dir` does not exist.
 * Synchronous on purpose: thousands of small reads are several times faster without the thread pool.
 */
export function readTree(dir: string): Map<string, Buffer> {
  const files = new Map<string, Buffer>();
  let entries: Dirent[];
  try {
    entries = readdirSync(dir, { recursive: true, withFileTypes: true });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return files;
    throw error;
  }
  for (const entry of entries) {
    const path = join(entry.parentPath, entry.name);
    // A link is never followed: it is a file of its own (a foreign one, as synth never writes links).
    if (entry.isSymbolicLink()) files.set(relative(dir, path).split('\\').join('/'), Buffer.from(`symbolic link to ${readlinkSync(path)}`));
    else if (entry.isFile()) files.set(relative(dir, path).split('\\').join('/'), readFileSync(path));
  }
  return new Map([...files.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/** Folders of dist/ that synth generated (they hold an ownership index), sorted. */
export async function generatedEnvironments(distDir: string, indexFile: string): Promise<string[]> {
  const entries = await readdir(distDir, { withFileTypes: true }).catch(() => []);
  const names = entries.filter((entry) => entry.isDirectory() && !entry.name.startsWith('.')).map((entry) => entry.name);
  return names.filter((name) => existsSync(join(distDir, name, indexFile))).sort();
}

/**
 * Finishes or undoes a swap that a killed or failed process left half done, so that dist/<env>
 * holds either the complete old tree or the complete new one. Call with the dist lock held.
 */
export async function recoverInterruptedSwap(distDir: string, env: string): Promise<void> {
  const { live, previous, nextPrefix, patch } = swapPaths(distDir, env);
  const root = dirname(distDir);
  const hasLive = await exists(live);
  try {
    // A committed patch is completed: the tree becomes all-new.
    if (await exists(patch)) completePatch(live, patch);
    if (await exists(previous)) {
      if (hasLive) removeTree(previous);
      else renameSync(previous, live);
    }
    const siblings = await readdir(distDir).catch(() => []);
    for (const name of siblings) {
      const path = join(distDir, name);
      if (path.startsWith(nextPrefix)) removeTree(path);
    }
  } catch (error) {
    throw describeWriteFailure(error, root, 'clean up after an interrupted write:', `dist/${env} is ${hasLive ? 'complete' : 'not restored yet'}`);
  }
}

/** Recovers every environment of dist/ whose swap a killed or failed process left half done. */
export async function recoverInterruptedSwaps(distDir: string): Promise<void> {
  const names = await readdir(distDir).catch(() => [] as string[]);
  const interrupted = new Set(names.flatMap((name) => /^\.(.+)\.(previous|patch|next-.*)$/.exec(name)?.[1] ?? []));
  for (const env of interrupted) await recoverInterruptedSwap(distDir, env);
}

/** Removes a tree synth made, making its folders writable first if the disk refuses (a read-only copy). */
export function removeTree(path: string): void {
  try {
    rmSync(path, { recursive: true, force: true });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== 'EACCES' && code !== 'EPERM') throw error;
    makeFoldersWritable(path);
    rmSync(path, { recursive: true, force: true });
  }
}

function makeFoldersWritable(dir: string): void {
  chmodSync(dir, 0o755);
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.isDirectory()) makeFoldersWritable(join(dir, entry.name));
  }
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}
