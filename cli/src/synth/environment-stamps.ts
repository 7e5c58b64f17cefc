/**
 * Proof that dist/<env>/ is current without rendering it: after a run found or made it current, a
 * stamp records a hash of every input (the stamp key, see stamp-key.ts) and the file-system identity
 * of every file in dist/<env>/ (size, modification and change time, inode, as git's index does).
 * When the next run finds the same inputs and not one file added, removed or touched, the
 * environment is current and nothing is read, rendered or validated for it. Anything else (an edit,
 * a Flux commit, a checkout, a missing or damaged stamp) means rendering as usual.
 *
 * The stamp also records the sha256 of every generated file. When the inputs did change (a pin moved),
 * a file whose identity is still the recorded one is vouched for by that hash: the render is compared
 * with it without reading the file (dist-tree.ts).
 */
import {
  closeSync,
  existsSync,
  fstatSync,
  lstatSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  readSync,
  renameSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import type { KnownFiles } from '../output/dist-tree.ts';
import type { RenderCacheSettings } from '../render/render-cache.ts';

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
  /** Every file in dist/<env>/ with its identity, and the sha256 of its bytes (64 hex digits each, `-` for a foreign file). */
  readonly files: FileIdentities & { readonly sha256: string };
  /** Every folder of dist/<env>/ (itself: '') with its identity: an unchanged folder has the same entries. */
  readonly folders: FolderIdentities;
}

/** The stamp file's format; the stamp key covers it too (stamp-key.ts). */
export const FORMAT = 4;
/** The hash column's entry for a file without one (foreign). */
const NO_HASH = '-'.repeat(64);
const NO_HASH_CHAR = NO_HASH.charCodeAt(0);

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
export async function verifiedStamp(root: string, env: string, key: string | undefined, cache: StampFolder | undefined): Promise<StampCheck> {
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
  const now = tree.files;
  // Taken from the stamp's own list (the common case), the files stand where the stamp has them.
  const index = now.paths === paths ? undefined : new Map(paths.map((path, position) => [path, position]));
  const vouched = new Map<string, string>();
  for (let file = 0; file < now.paths.length; file++) {
    const path = now.paths[file] as string;
    const at = index ? index.get(path) : file;
    if (
      at === undefined ||
      sizes[at] !== now.sizes[file] ||
      mtimes[at] !== now.mtimes[file] ||
      ctimes[at] !== now.ctimes[file] ||
      inodes[at] !== now.inodes[file]
    )
      continue;
    // A foreign file has no hash; anything but a sha256 never equals a rendered file's and only makes it read.
    if (sha256.charCodeAt(at * 64) !== NO_HASH_CHAR) vouched.set(path, sha256.slice(at * 64, at * 64 + 64));
  }
  return { tree, known: { paths: now.paths, vouched } };
}

/** Where stamps are kept: the render cache's folder. */
export type StampFolder = Pick<RenderCacheSettings, 'dir'>;

/**
 * What the stamp file of `env` tells without being parsed: its size, and from its head the key of the
 * inputs it was recorded for (a hint that they moved since, which the check itself never relies on).
 */
export function stampHead(env: string, cache: StampFolder): { readonly key?: string; readonly bytes: number } {
  const head = Buffer.alloc(STAMP_HEAD.length + 128);
  let descriptor: number | undefined;
  try {
    descriptor = openSync(stampFile(env, cache) as string, 'r');
    const text = head.toString('latin1', 0, readSync(descriptor, head, 0, head.length, 0));
    const end = text.indexOf('"', STAMP_HEAD.length);
    const bytes = fstatSync(descriptor).size;
    return text.startsWith(STAMP_HEAD) && end > 0 ? { key: text.slice(STAMP_HEAD.length, end), bytes } : { bytes };
  } catch {
    return { bytes: 0 };
  } finally {
    if (descriptor !== undefined) closeSync(descriptor);
  }
}

/** How a stamp file starts, before its key (writeStamp writes the format, then the key). */
const STAMP_HEAD = `{"format":${FORMAT},"key":"`;

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
  cache: StampFolder | undefined,
  key: string | undefined,
  listed: { readonly foreign: readonly string[]; readonly hashes: ReadonlyMap<string, string> },
  options: { readonly expected?: TreeIdentities; readonly written?: { readonly before: TreeIdentities; readonly paths: readonly string[] } } = {},
): Promise<void> {
  const { expected, written } = options;
  const file = stampFile(env, cache);
  const now = written ? identitiesAfter(root, env, written.before, written.paths) : await identities(root, env);
  if (!key || !file || !now) return;
  if (expected && !(sameColumns(expected.files, now.files) && sameColumns(expected.folders, now.folders))) return;
  const { foreign, hashes } = listed;
  const stamp: StampFile = {
    format: FORMAT,
    key,
    foreign,
    files: { ...now.files, sha256: now.files.paths.map((path) => hashes.get(path) ?? NO_HASH).join('') },
    folders: now.folders,
  };
  const temporary = `${file}.${process.pid}.tmp`;
  try {
    mkdirSync(join(file, '..'), { recursive: true });
    writeFileSync(temporary, JSON.stringify(stamp));
    renameSync(temporary, file);
  } catch {}
}

function stampFile(env: string, cache: StampFolder | undefined): string | undefined {
  return cache ? join(cache.dir, 'stamps', `${env}.json`) : undefined;
}

/** Every file of a dist/<env>/ with its identity (size, mtime, ctime, inode), in columns sorted by path: no array per file. */
export interface FileIdentities {
  readonly paths: string[];
  readonly sizes: number[];
  readonly mtimes: number[];
  readonly ctimes: number[];
  readonly inodes: number[];
}

/** Every folder of a dist/<env>/ (itself: '') with its identity (mtime, ctime, inode), in columns sorted by path. */
export interface FolderIdentities {
  readonly paths: string[];
  readonly mtimes: number[];
  readonly ctimes: number[];
  readonly inodes: number[];
}

/** The identities of everything in a dist/<env>/. */
export interface TreeIdentities {
  readonly files: FileIdentities;
  readonly folders: FolderIdentities;
}

function noFiles(): FileIdentities {
  return { paths: [], sizes: [], mtimes: [], ctimes: [], inodes: [] };
}

function noFolders(): FolderIdentities {
  return { paths: [], mtimes: [], ctimes: [], inodes: [] };
}

/** Adds the identity of the file at `path` (below `dir`) to `files`; throws when it is gone. */
function addFile(files: FileIdentities, dir: string, path: string): void {
  const info = lstatSync(`${dir}/${path}`);
  pushFile(files, path, info.size, info.mtimeMs, info.ctimeMs, info.ino);
}

/** Appends one file's identity to the columns of `files`. */
function pushFile(files: FileIdentities, path: string, size: number, mtime: number, ctime: number, inode: number): void {
  files.paths.push(path);
  files.sizes.push(size);
  files.mtimes.push(mtime);
  files.ctimes.push(ctime);
  files.inodes.push(inode);
}

/** Adds the identity of the folder at `path` (below `dir`; itself: '') to `folders`; throws when it is gone or no folder. */
function addFolder(folders: FolderIdentities, dir: string, path: string): void {
  const info = lstatSync(path === '' ? dir : `${dir}/${path}`);
  if (!info.isDirectory()) throw new Error(`${path} is no longer a folder`);
  pushFolder(folders, path, info.mtimeMs, info.ctimeMs, info.ino);
}

/** Appends one folder's identity to the columns of `folders`. */
function pushFolder(folders: FolderIdentities, path: string, mtime: number, ctime: number, inode: number): void {
  folders.paths.push(path);
  folders.mtimes.push(mtime);
  folders.ctimes.push(ctime);
  folders.inodes.push(inode);
}

/** `folders` sorted by path. */
function sortedFolders(folders: FolderIdentities): FolderIdentities {
  const order = folders.paths.map((_, at) => at).sort((a, b) => compare(folders.paths[a] as string, folders.paths[b] as string));
  const pick = <T>(column: readonly T[]) => order.map((at) => column[at] as T);
  return { paths: pick(folders.paths), mtimes: pick(folders.mtimes), ctimes: pick(folders.ctimes), inodes: pick(folders.inodes) };
}

/** Whether two sets of identities hold the same entries (every column equal). */
function sameColumns(a: FileIdentities | FolderIdentities, b: FileIdentities | FolderIdentities): boolean {
  const columns = (identities: FileIdentities | FolderIdentities): readonly (readonly unknown[])[] =>
    'sizes' in identities
      ? [identities.paths, identities.sizes, identities.mtimes, identities.ctimes, identities.inodes]
      : [identities.paths, identities.mtimes, identities.ctimes, identities.inodes];
  const left = columns(a);
  const right = columns(b);
  return (
    left.length === right.length && left.every((column, at) => column.length === right[at]?.length && column.every((value, row) => value === right[at]?.[row]))
  );
}

const compare = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

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
function recordedIdentities(root: string, env: string, { files: recorded, folders: recordedFolders }: StampFile): TreeIdentities | undefined {
  const dir = join(root, 'dist', env);
  try {
    const folders = noFolders();
    for (const path of recordedFolders.paths) addFolder(folders, dir, path);
    if (folders.paths.length === 0 || !sameColumns(folders, recordedFolders)) return undefined;
    // The recorded list itself, so that the caller can compare file by file in place.
    const files: FileIdentities = { paths: recorded.paths, sizes: [], mtimes: [], ctimes: [], inodes: [] };
    for (const path of recorded.paths) {
      const info = lstatSync(`${dir}/${path}`);
      files.sizes.push(info.size);
      files.mtimes.push(info.mtimeMs);
      files.ctimes.push(info.ctimeMs);
      files.inodes.push(info.ino);
    }
    return { files, folders };
  } catch {
    return undefined;
  }
}

/**
 * The identities `before` with those of the written `paths` and of the folders that hold them (and
 * dist/<env>/ itself) taken again (files and folders that are gone dropped, folders the write made
 * added), sorted; undefined when dist/<env>/ is gone. A folder the write did not touch keeps the
 * identity `before` has: had anything else changed it since, the next run sees it differ.
 */
function identitiesAfter(root: string, env: string, before: TreeIdentities, paths: readonly string[]): TreeIdentities | undefined {
  const dir = join(root, 'dist', env);
  if (!existsSync(dir)) return undefined;
  const rewritten = new Set(paths);
  const touched = new Set(['']);
  const added = noFiles();
  for (const path of [...rewritten].sort(compare)) {
    for (let slash = path.lastIndexOf('/'); slash > 0; slash = path.lastIndexOf('/', slash - 1)) touched.add(path.slice(0, slash));
    try {
      addFile(added, dir, path);
    } catch {}
  }
  // The files kept and the files written, both sorted, merged.
  const files = noFiles();
  const take = (from: FileIdentities, at: number) =>
    pushFile(files, from.paths[at] as string, from.sizes[at] as number, from.mtimes[at] as number, from.ctimes[at] as number, from.inodes[at] as number);
  let next = 0;
  for (let at = 0; at < before.files.paths.length; at++) {
    const path = before.files.paths[at] as string;
    if (rewritten.has(path)) continue;
    while (next < added.paths.length && (added.paths[next] as string) < path) take(added, next++);
    take(before.files, at);
  }
  while (next < added.paths.length) take(added, next++);
  const folders = noFolders();
  for (const [at, path] of before.folders.paths.entries()) {
    if (!touched.has(path))
      pushFolder(folders, path, before.folders.mtimes[at] as number, before.folders.ctimes[at] as number, before.folders.inodes[at] as number);
  }
  for (const path of touched) {
    try {
      addFolder(folders, dir, path);
    } catch {}
  }
  return { files, folders: sortedFolders(folders) };
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
    // A folder's identity is taken before it is listed: an entry added while it is listed changes it.
    const folders = noFolders();
    addFolder(folders, dir, '');
    const walk = (folder: string, prefix: string): void => {
      for (const entry of readdirSync(folder, { withFileTypes: true })) {
        if (entry.isDirectory()) {
          addFolder(folders, dir, `${prefix}${entry.name}`);
          walk(`${folder}/${entry.name}`, `${prefix}${entry.name}/`);
        } else paths.push(`${prefix}${entry.name}`);
      }
    };
    walk(dir, '');
    const files = noFiles();
    for (const path of paths.sort()) addFile(files, dir, path);
    return { files, folders: sortedFolders(folders) };
  } catch {
    return undefined;
  }
}
