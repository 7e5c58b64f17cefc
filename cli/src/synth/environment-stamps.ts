/**
 * Proof that dist/<env>/ is current without rendering it: after a run found or made it current, a
 * stamp records a hash of every input (the code hashes of all apps and the CLI, the environment's
 * overlay files, the CRD schemas) and the file-system identity of every file in dist/<env>/ (size,
 * modification and change time, inode, as git's index does). When the next run finds the same
 * inputs and not one file added, removed or touched, the environment is current and nothing is
 * read, rendered or validated for it. Anything else (an edit, a Flux commit, a checkout, a missing or
 * damaged stamp) means rendering as usual.
 */
import { createHash } from 'node:crypto';
import { lstatSync, mkdirSync, readdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { overlayFiles } from '../config/load-environment.ts';
import { renderCacheSettings } from '../render/render-cache.ts';
import { CRD_SCHEMA_FOLDER } from '../validate/crd-schemas.ts';

/** What a run may report for a current environment without looking at it: its files, relative to the root. */
export interface Stamp {
  readonly key: string;
  /** Generated files (paths from the repository root). */
  readonly generated: readonly string[];
  /** Files synth did not generate, kept in place. */
  readonly foreign: readonly string[];
  /** Every file in dist/<env>/ with its identity: path, size, mtime, ctime, inode. */
  readonly files: readonly (readonly [string, number, number, number, number])[];
}

const FORMAT = 1;

/** The hash of every input of `env`, or undefined when renders are not cached (then there are no stamps). */
export async function stampKey(root: string, env: string, imagesText?: string): Promise<string | undefined> {
  const settings = renderCacheSettings();
  if (!settings) return undefined;
  const files = overlayFiles(env);
  const read = (path: string) => readFile(join(root, path), 'utf8').catch(() => null);
  const schemaNames = (await readdir(join(root, CRD_SCHEMA_FOLDER)).catch(() => [] as string[])).sort();
  const schemas = await Promise.all(schemaNames.map(async (name) => [name, await read(`${CRD_SCHEMA_FOLDER}/${name}`)]));
  const apps = [...settings.appHashes].sort(([a], [b]) => (a < b ? -1 : 1));
  const inputs = [FORMAT, settings.sharedHash, apps, env, await read(files.environment), imagesText ?? (await read(files.images)), schemas];
  return createHash('sha256').update(JSON.stringify(inputs)).digest('hex');
}

/**
 * The stamp of `env` when it matches `key` and dist/<env>/ is exactly as it recorded, and the
 * identities of dist/<env>/'s files as they are now (taken once, before anything reads the tree).
 */
export async function verifiedStamp(root: string, env: string, key: string | undefined): Promise<{ readonly stamp?: Stamp; readonly files?: FileIdentities }> {
  const file = stampFile(env);
  if (!key || !file) return {};
  const now = await identities(root, env);
  let stamp: Stamp;
  try {
    stamp = JSON.parse(readFileSync(file, 'utf8')) as Stamp;
  } catch {
    return { files: now };
  }
  if (stamp?.key !== key || !Array.isArray(stamp.files) || !Array.isArray(stamp.generated) || !Array.isArray(stamp.foreign)) return { files: now };
  if (!now || now.length !== stamp.files.length) return { files: now };
  for (const [index, entry] of now.entries()) {
    const recorded = stamp.files[index];
    if (!recorded || entry.some((value, position) => value !== recorded[position])) return { files: now };
  }
  return { stamp, files: now };
}

/**
 * Records that dist/<env>/ is current for `key`; a failure to write is ignored (the next run renders).
 * With `expected` (the identities taken before dist/<env>/ was read), nothing is recorded when the
 * folder changed since, as a synth running beside a check would change it.
 */
export async function writeStamp(
  root: string,
  env: string,
  key: string | undefined,
  listed: { readonly generated: readonly string[]; readonly foreign: readonly string[] },
  expected?: FileIdentities,
): Promise<void> {
  const file = stampFile(env);
  const files = await identities(root, env);
  if (!key || !file || !files) return;
  if (expected && JSON.stringify(expected) !== JSON.stringify(files)) return;
  const { generated, foreign } = listed;
  const temporary = `${file}.${process.pid}.tmp`;
  try {
    mkdirSync(join(file, '..'), { recursive: true });
    writeFileSync(temporary, JSON.stringify({ key, generated, foreign, files } satisfies Stamp));
    renameSync(temporary, file);
  } catch {}
}

function stampFile(env: string): string | undefined {
  const settings = renderCacheSettings();
  return settings ? join(settings.dir, 'stamps', `${env}.json`) : undefined;
}

/** Every file of a dist/<env>/ with its identity: path, size, mtime, ctime, inode. */
export type FileIdentities = [string, number, number, number, number][];

/**
 * Every file below dist/<env>/, sorted, with its identity; undefined when the folder is missing or
 * unreadable. Synchronous on purpose: for thousands of files, one walk of lstat calls on the main
 * thread is about three times faster than the same calls through the thread pool.
 */
export async function identities(root: string, env: string): Promise<FileIdentities | undefined> {
  const dir = join(root, 'dist', env);
  try {
    if (!statSync(dir).isDirectory()) return undefined;
    const paths: string[] = [];
    const walk = (folder: string, prefix: string): void => {
      for (const entry of readdirSync(folder, { withFileTypes: true })) {
        if (entry.isDirectory()) walk(`${folder}/${entry.name}`, `${prefix}${entry.name}/`);
        else paths.push(`${prefix}${entry.name}`);
      }
    };
    walk(dir, '');
    paths.sort();
    return paths.map((path) => {
      const info = lstatSync(`${dir}/${path}`);
      return [path, info.size, info.mtimeMs, info.ctimeMs, info.ino];
    });
  } catch {
    return undefined;
  }
}
