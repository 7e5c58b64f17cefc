/**
 * Proof that dist/<env>/ is current without rendering it: after a run found or made it current, a
 * stamp records a hash of every input (the code hashes of all apps and the CLI, the environment's
 * overlay files, the CRD schemas) and the file-system identity of every file in dist/<env>/ (size,
 * modification and change time, inode, as git's index does). When the next run finds the same
 * inputs and not one file added, removed or touched, the environment is current and nothing is
 * read, rendered or validated for it. Anything else (an edit, a Flux commit, a checkout, a missing or
 * damaged stamp) means rendering as usual.
 *
 * The stamp also records the sha256 of every generated file. When the inputs did change (a pin moved),
 * a file whose identity is still the recorded one is vouched for by that hash: the render is compared
 * with it without reading the file (dist-tree.ts).
 */
import { createHash } from 'node:crypto';
import { existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parse } from 'yaml';
import { overlayFiles } from '../config/load-environment.ts';
import type { KnownFiles } from '../output/dist-tree.ts';
import type { RenderCacheSettings } from '../render/render-cache.ts';
import { CRD_SCHEMA_FOLDER } from '../validate/crd-schemas.ts';

/** What a run may report for a current environment without looking at it: its files, relative to the root. */
export interface Stamp {
  readonly key: string;
  /** Generated files (paths from the repository root). */
  readonly generated: readonly string[];
  /** Files synth did not generate, kept in place. */
  readonly foreign: readonly string[];
  /** Every file in dist/<env>/ with its identity (path, size, mtime, ctime, inode) and the sha256 of its bytes ('' for a foreign file). */
  readonly files: readonly (readonly [string, number, number, number, number, string])[];
  /** Every folder of dist/<env>/ (itself: '') with its identity: an unchanged folder has the same entries. */
  readonly folders: FolderIdentities;
}

const FORMAT = 3;
const SHA256 = /^[a-f0-9]{64}$/;

/** The hash of every input of `env`, or undefined when renders are not cached (then there are no stamps). */
export async function stampKey(root: string, env: string, settings: RenderCacheSettings | undefined, imagesText?: string): Promise<string | undefined> {
  if (!settings) return undefined;
  const files = overlayFiles(env);
  const read = (path: string) => readFile(join(root, path), 'utf8').catch(() => null);
  const schemaNames = (await readdir(join(root, CRD_SCHEMA_FOLDER)).catch(() => [] as string[])).sort();
  const schemas = await Promise.all(schemaNames.map(async (name) => [name, await read(`${CRD_SCHEMA_FOLDER}/${name}`)]));
  const apps = [...settings.appHashes].sort(([a], [b]) => (a < b ? -1 : 1));
  const environment = await read(files.environment);
  const trust = await Promise.all(trustFiles(environment).map(async (file) => [file, await read(file)]));
  const inputs = [FORMAT, settings.sharedHash, apps, env, environment, imagesText ?? (await read(files.images)), schemas, trust];
  return createHash('sha256').update(JSON.stringify(inputs)).digest('hex');
}

/** The trust files an environment.yaml names (its trusted root, its rules' public keys): the admission policy carries their contents. */
function trustFiles(environment: string | null): string[] {
  if (environment === null || !/^\s*(-\s+)?(trustedRoot|key):/m.test(environment)) return [];
  try {
    const config = parse(environment) as { trustedRoot?: unknown; verify?: { key?: unknown }[] } | null;
    const named = [config?.trustedRoot, ...(Array.isArray(config?.verify) ? config.verify.map((rule) => rule?.key) : [])];
    return named.filter((file): file is string => typeof file === 'string' && !file.startsWith('/') && !file.split('/').includes('..')).sort();
  } catch {
    return [];
  }
}

/** What the stamp of an environment shows before it renders. */
export interface StampCheck {
  /** The stamp, when it matches the inputs' key and dist/<env>/ is exactly as it recorded: the environment is current. */
  readonly stamp?: Stamp;
  /** The identities of dist/<env>/'s files and folders as they are now (taken once, before anything reads the tree). */
  readonly tree?: TreeIdentities;
  /**
   * What the stamp tells of dist/<env>/ when the inputs changed: its files, and those the stamp vouches
   * for whatever the key (nothing touched them since a run that found dist/<env>/ current recorded them).
   */
  readonly known?: KnownFiles;
}

/** The stamp check of `env` for the inputs' `key` (nothing when there are no stamps). */
export async function verifiedStamp(root: string, env: string, key: string | undefined, cache: RenderCacheSettings | undefined): Promise<StampCheck> {
  const file = stampFile(env, cache);
  if (!key || !file) return {};
  let stamp: Stamp | undefined;
  try {
    stamp = JSON.parse(readFileSync(file, 'utf8')) as Stamp;
    if (!Array.isArray(stamp?.files) || !Array.isArray(stamp.folders) || !Array.isArray(stamp.generated) || !Array.isArray(stamp.foreign)) stamp = undefined;
  } catch {}
  const tree = (stamp && recordedIdentities(root, env, stamp)) ?? (await identities(root, env));
  if (!stamp || !tree) return { tree };
  const now = tree.files;
  const same = (entry: FileIdentities[number], recorded: readonly unknown[] | undefined) => entry.every((value, position) => value === recorded?.[position]);
  if (stamp.key === key && now.length === stamp.files.length && now.every((entry, index) => same(entry, stamp.files[index]))) return { stamp, tree };
  const vouched = new Map<string, string>();
  const recorded = new Map(stamp.files.filter(Array.isArray).map((entry) => [entry[0], entry]));
  for (const entry of now) {
    const known = recorded.get(entry[0]);
    const sha256 = known?.[5];
    if (typeof sha256 === 'string' && SHA256.test(sha256) && same(entry, known)) vouched.set(entry[0], sha256);
  }
  return { tree, known: { paths: now.map(([path]) => path), vouched } };
}

/**
 * Records that dist/<env>/ is current for `key`; a failure to write is ignored (the next run renders).
 * With `expected` (the identities taken before dist/<env>/ was read), nothing is recorded when the
 * folder changed since, as a synth running beside a check would change it. With `written` (a write
 * under the dist lock replaced or removed only those paths of a folder whose identities were
 * `before`), only those paths are looked at again.
 */
export async function writeStamp(
  root: string,
  env: string,
  cache: RenderCacheSettings | undefined,
  key: string | undefined,
  listed: { readonly generated: readonly string[]; readonly foreign: readonly string[]; readonly hashes: ReadonlyMap<string, string> },
  options: { readonly expected?: TreeIdentities; readonly written?: { readonly before: TreeIdentities; readonly paths: readonly string[] } } = {},
): Promise<void> {
  const { expected, written } = options;
  const file = stampFile(env, cache);
  const now = written ? identitiesAfter(root, env, written.before, written.paths) : await identities(root, env);
  if (!key || !file || !now) return;
  if (expected && JSON.stringify(expected) !== JSON.stringify(now)) return;
  const { generated, foreign, hashes } = listed;
  const files = now.files.map((entry) => [...entry, hashes.get(entry[0]) ?? ''] as const);
  const temporary = `${file}.${process.pid}.tmp`;
  try {
    mkdirSync(join(file, '..'), { recursive: true });
    writeFileSync(temporary, JSON.stringify({ key, generated, foreign, files, folders: now.folders } satisfies Stamp));
    renameSync(temporary, file);
  } catch {}
}

function stampFile(env: string, cache: RenderCacheSettings | undefined): string | undefined {
  return cache ? join(cache.dir, 'stamps', `${env}.json`) : undefined;
}

/** Every file of a dist/<env>/ with its identity: path, size, mtime, ctime, inode. */
export type FileIdentities = [string, number, number, number, number][];

/** Every folder of a dist/<env>/ (itself: '') with its identity: path, mtime, ctime, inode. */
export type FolderIdentities = [string, number, number, number][];

/** The identities of everything in a dist/<env>/. */
export interface TreeIdentities {
  readonly files: FileIdentities;
  readonly folders: FolderIdentities;
}

const byPath = ([a]: readonly [string, ...unknown[]], [b]: readonly [string, ...unknown[]]) => (a < b ? -1 : a > b ? 1 : 0);

function fileIdentity(dir: string, path: string): FileIdentities[number] {
  const info = lstatSync(`${dir}/${path}`);
  return [path, info.size, info.mtimeMs, info.ctimeMs, info.ino];
}

function folderIdentity(dir: string, path: string): FolderIdentities[number] {
  const info = lstatSync(path === '' ? dir : `${dir}/${path}`);
  if (!info.isDirectory()) throw new Error(`${path} is no longer a folder`);
  return [path, info.mtimeMs, info.ctimeMs, info.ino];
}

/**
 * The identities of dist/<env>/ taken without listing a folder, when every folder the stamp recorded
 * is unchanged (a folder whose entries change gets a new mtime and ctime, as git's untracked cache
 * relies on): only the recorded files are looked at. Undefined when anything differs.
 */
function recordedIdentities(root: string, env: string, stamp: Stamp): TreeIdentities | undefined {
  const dir = join(root, 'dist', env);
  try {
    const folders = stamp.folders.map(([path]) => folderIdentity(dir, path));
    if (folders.length === 0 || folders.some((entry, index) => entry.some((value, position) => value !== stamp.folders[index]?.[position]))) return undefined;
    return { files: stamp.files.map(([path]) => fileIdentity(dir, path)), folders };
  } catch {
    return undefined;
  }
}

/**
 * The identities `before` with those of the written `paths` and of every folder taken again (files
 * and folders that are gone dropped, folders the write made added), sorted; undefined when
 * dist/<env>/ is gone.
 */
function identitiesAfter(root: string, env: string, before: TreeIdentities, paths: readonly string[]): TreeIdentities | undefined {
  const dir = join(root, 'dist', env);
  if (!existsSync(dir)) return undefined;
  const rewritten = new Set(paths);
  const files = before.files.filter(([path]) => !rewritten.has(path));
  const folderPaths = new Set(before.folders.map(([path]) => path));
  for (const path of rewritten) {
    for (let slash = path.lastIndexOf('/'); slash > 0; slash = path.lastIndexOf('/', slash - 1)) folderPaths.add(path.slice(0, slash));
    try {
      files.push(fileIdentity(dir, path));
    } catch {}
  }
  const folders: FolderIdentities = [];
  for (const path of folderPaths) {
    try {
      folders.push(folderIdentity(dir, path));
    } catch {}
  }
  return { files: files.sort(byPath), folders: folders.sort(byPath) };
}

/**
 * Every file and folder below dist/<env>/, sorted, with their identities; undefined when the folder
 * is missing or unreadable. Synchronous on purpose: for thousands of files, one walk of lstat calls
 * on the main thread is about three times faster than the same calls through the thread pool.
 */
export async function identities(root: string, env: string): Promise<TreeIdentities | undefined> {
  const dir = join(root, 'dist', env);
  try {
    if (!statSync(dir).isDirectory()) return undefined;
    const paths: string[] = [];
    const folders: FolderIdentities = [folderIdentity(dir, '')];
    const walk = (folder: string, prefix: string): void => {
      for (const entry of readdirSync(folder, { withFileTypes: true })) {
        if (entry.isDirectory()) {
          folders.push(folderIdentity(dir, `${prefix}${entry.name}`));
          walk(`${folder}/${entry.name}`, `${prefix}${entry.name}/`);
        } else paths.push(`${prefix}${entry.name}`);
      }
    };
    walk(dir, '');
    paths.sort();
    return { files: paths.map((path) => fileIdentity(dir, path)), folders: folders.sort(byPath) };
  } catch {
    return undefined;
  }
}
