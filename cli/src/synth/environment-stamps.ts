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
}

/**
 * A stamp as it is kept: the identities in columns rather than one array per file (a stamp of 50,000
 * files parses several times faster and leaves little garbage). Generated files are the recorded
 * files that are not foreign.
 */
interface StampFile {
  readonly format: typeof FORMAT;
  readonly key: string;
  /** Files synth did not generate (paths from the repository root). */
  readonly foreign: readonly string[];
  /** Every file in dist/<env>/: path, size, mtime, ctime, inode, and the sha256 of its bytes (64 hex digits each, `-` for a foreign file). */
  readonly files: {
    readonly paths: readonly string[];
    readonly sizes: readonly number[];
    readonly mtimes: readonly number[];
    readonly ctimes: readonly number[];
    readonly inodes: readonly number[];
    readonly sha256: string;
  };
  /** Every folder of dist/<env>/ (itself: '') with its identity: an unchanged folder has the same entries. */
  readonly folders: {
    readonly paths: readonly string[];
    readonly mtimes: readonly number[];
    readonly ctimes: readonly number[];
    readonly inodes: readonly number[];
  };
}

const FORMAT = 4;
/** The hash column's entry for a file without one (foreign). */
const NO_HASH = '-'.repeat(64);
const NO_HASH_CHAR = NO_HASH.charCodeAt(0);

/** The hash of every input of `env`, or undefined when renders are not cached (then there are no stamps). */
export async function stampKey(root: string, env: string, settings: RenderCacheSettings | undefined, imagesText?: string): Promise<string | undefined> {
  if (!settings) return undefined;
  const files = overlayFiles(env);
  const read = (path: string) => readFile(join(root, path), 'utf8').catch(() => null);
  const schemaNames = (await readdir(join(root, CRD_SCHEMA_FOLDER)).catch(() => [] as string[])).sort();
  const schemas = await Promise.all(schemaNames.map(async (name) => [name, await read(`${CRD_SCHEMA_FOLDER}/${name}`)]));
  const environment = await read(files.environment);
  const trust = await Promise.all(trustFiles(environment).map(async (file) => [file, await read(file)]));
  const inputs = [FORMAT, codeDigest(settings), env, environment, imagesText ?? (await read(files.images)), schemas, trust];
  return createHash('sha256').update(JSON.stringify(inputs)).digest('hex');
}

const codeDigests = new WeakMap<RenderCacheSettings, string>();

/** A hash of the code of this build (the shared code and every app's), the same for every environment: taken once. */
function codeDigest(settings: RenderCacheSettings): string {
  let digest = codeDigests.get(settings);
  if (digest === undefined) {
    const apps = [...settings.appHashes].sort(([a], [b]) => (a < b ? -1 : 1));
    digest = createHash('sha256')
      .update(JSON.stringify([settings.sharedHash, apps]))
      .digest('hex');
    codeDigests.set(settings, digest);
  }
  return digest;
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
  /** The identities of dist/<env>/'s files and folders as they are now (taken once, before anything reads the tree; not for a current environment). */
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
  const recorded = readStampFile(file);
  // The common case, nothing changed, is checked without building the tree's identities.
  if (recorded?.key === key && asRecorded(root, env, recorded)) {
    const foreign = new Set(recorded.foreign);
    const generated = recorded.files.paths.map((path) => `dist/${env}/${path}`).filter((path) => !foreign.has(path));
    return { stamp: { key, generated, foreign: recorded.foreign } };
  }
  const tree = (recorded && recordedIdentities(root, env, recorded)) ?? (await identities(root, env));
  if (!recorded || !tree) return { tree };
  const { paths, sizes, mtimes, ctimes, inodes, sha256 } = recorded.files;
  const index = new Map(paths.map((path, position) => [path, position]));
  const vouched = new Map<string, string>();
  for (const [path, size, mtime, ctime, inode] of tree.files) {
    const at = index.get(path);
    if (at === undefined || sizes[at] !== size || mtimes[at] !== mtime || ctimes[at] !== ctime || inodes[at] !== inode) continue;
    // A foreign file has no hash; anything but a sha256 never equals a rendered file's and only makes it read.
    if (sha256.charCodeAt(at * 64) !== NO_HASH_CHAR) vouched.set(path, sha256.slice(at * 64, at * 64 + 64));
  }
  return { tree, known: { paths: tree.files.map(([path]) => path), vouched } };
}

/** The stamp kept in `file`, when it is one of this format whose columns agree. */
function readStampFile(file: string): StampFile | undefined {
  try {
    const stamp = JSON.parse(readFileSync(file, 'utf8')) as StampFile;
    const { files, folders } = stamp;
    const count = files.paths.length;
    const columns = [
      files.paths,
      files.sizes,
      files.mtimes,
      files.ctimes,
      files.inodes,
      folders.paths,
      folders.mtimes,
      folders.ctimes,
      folders.inodes,
      stamp.foreign,
    ];
    if (stamp.format !== FORMAT || typeof stamp.key !== 'string' || !columns.every(Array.isArray) || typeof files.sha256 !== 'string') return undefined;
    if ([files.sizes, files.mtimes, files.ctimes, files.inodes].some((column) => column.length !== count) || files.sha256.length !== count * 64)
      return undefined;
    if ([folders.mtimes, folders.ctimes, folders.inodes].some((column) => column.length !== folders.paths.length)) return undefined;
    return stamp;
  } catch {
    return undefined;
  }
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
  const { foreign, hashes } = listed;
  const column = <T>(rows: readonly (readonly unknown[])[], position: number) => rows.map((row) => row[position] as T);
  const stamp: StampFile = {
    format: FORMAT,
    key,
    foreign,
    files: {
      paths: column(now.files, 0),
      sizes: column(now.files, 1),
      mtimes: column(now.files, 2),
      ctimes: column(now.files, 3),
      inodes: column(now.files, 4),
      sha256: now.files.map(([path]) => hashes.get(path) ?? NO_HASH).join(''),
    },
    folders: { paths: column(now.folders, 0), mtimes: column(now.folders, 1), ctimes: column(now.folders, 2), inodes: column(now.folders, 3) },
  };
  const temporary = `${file}.${process.pid}.tmp`;
  try {
    mkdirSync(join(file, '..'), { recursive: true });
    writeFileSync(temporary, JSON.stringify(stamp));
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
 * Whether every folder and file of dist/<env>/ still has the identity the stamp recorded (so no
 * entry was added, removed or touched): one lstat each, compared in place, nothing kept.
 */
function asRecorded(root: string, env: string, { files, folders }: StampFile): boolean {
  const dir = join(root, 'dist', env);
  if (folders.paths.length === 0) return false;
  for (let at = 0; at < folders.paths.length; at++) {
    const path = folders.paths[at];
    const info = lstatSync(path === '' ? dir : `${dir}/${path}`, { throwIfNoEntry: false });
    if (!info?.isDirectory() || info.mtimeMs !== folders.mtimes[at] || info.ctimeMs !== folders.ctimes[at] || info.ino !== folders.inodes[at]) return false;
  }
  for (let at = 0; at < files.paths.length; at++) {
    const info = lstatSync(`${dir}/${files.paths[at]}`, { throwIfNoEntry: false });
    if (!info || info.size !== files.sizes[at] || info.mtimeMs !== files.mtimes[at] || info.ctimeMs !== files.ctimes[at] || info.ino !== files.inodes[at])
      return false;
  }
  return true;
}

/**
 * The identities of dist/<env>/ taken without listing a folder, when every folder the stamp recorded
 * is unchanged (a folder whose entries change gets a new mtime and ctime, as git's untracked cache
 * relies on): only the recorded files are looked at. Undefined when anything differs.
 */
function recordedIdentities(root: string, env: string, { files, folders: recorded }: StampFile): TreeIdentities | undefined {
  const dir = join(root, 'dist', env);
  try {
    const folders = recorded.paths.map((path) => folderIdentity(dir, path));
    const changed = folders.some(
      ([, mtime, ctime, inode], at) => mtime !== recorded.mtimes[at] || ctime !== recorded.ctimes[at] || inode !== recorded.inodes[at],
    );
    if (folders.length === 0 || changed) return undefined;
    return { files: files.paths.map((path) => fileIdentity(dir, path)), folders };
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
