/** Reading dist/<env>/ and recovering it after an interrupted swap. */
import {
  chmodSync,
  closeSync,
  constants,
  type Dirent,
  existsSync,
  fstatSync,
  lstatSync,
  openSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  renameSync,
  rmSync,
} from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import { contentHash } from '../files/content-hash.ts';
import { listTree } from '../files/file-tree.ts';
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

/** dist/<env>/'s files as a check of its stamp found them a moment ago (see environment-stamps.ts). */
export interface KnownFiles {
  /** Every file (links included) below dist/<env>/, sorted. */
  readonly paths: readonly string[];
  /** Files nothing touched since synth wrote them, with the sha256 of their bytes: their content need not be read. */
  readonly vouched: ReadonlyMap<string, string>;
}

/**
 * The largest file dist/<env>/ is read for. Kubernetes refuses objects far smaller, so a larger file
 * is never one synth wrote: it is known by its size only (a foreign file of any size costs no memory).
 */
export const MAX_DIST_FILE_BYTES = 64 * 1024 * 1024;

/** A file not read yet: its bytes are read when asked for, and only if its size allows. */
const UNREAD = null;

/**
 * dist/<env>/ as found, by path (sorted). A file a stamp vouches for (see environment-stamps.ts:
 * nothing touched it since synth wrote it) is known by the sha256 of those bytes; every other file is
 * read only when its bytes are asked for (and a file whose size differs from the expected bytes, not
 * at all), so a run that moves one pin compares 10,000 files without reading them and a foreign file
 * of any size is never read. A symbolic link is never followed: it is a file of its own.
 */
export class DistTree {
  private constructor(
    private readonly dir: string,
    /** Bytes, the sha256 of bytes not read, or UNREAD. */
    private readonly files: Map<string, Buffer | string | typeof UNREAD>,
    /** The paths that are symbolic links. */
    private readonly links: ReadonlySet<string>,
  ) {}

  /**
   * Every file below `dir` (none when it does not exist). With `known`, the files listed there are
   * taken without listing a folder, and the vouched ones are not read.
   * Synchronous on purpose: thousands of small reads are several times faster without the thread pool.
   */
  static read(dir: string, known?: KnownFiles): DistTree {
    const files = new Map<string, Buffer | string | typeof UNREAD>();
    const links = new Set<string>();
    const vouched = known?.vouched ?? new Map<string, string>();
    // A link is never followed: it is a file of its own (a foreign one, as synth never writes links).
    const take = (relativePath: string, isLink: boolean) => {
      if (isLink) {
        links.add(relativePath);
        files.set(relativePath, Buffer.from(`symbolic link to ${readlinkSync(join(dir, relativePath))}`));
      } else files.set(relativePath, vouched.get(relativePath) ?? UNREAD);
    };
    if (known) {
      for (const path of known.paths) {
        const sha256 = vouched.get(path);
        // A file gone since (a run beside this one) is not there; the stamp written after notices the change.
        const info = sha256 === undefined ? lstatSync(join(dir, path), { throwIfNoEntry: false }) : undefined;
        if (sha256 !== undefined) files.set(path, sha256);
        else if (info && !info.isDirectory()) take(path, info.isSymbolicLink());
      }
      return new DistTree(dir, files, links);
    }
    let entries: Dirent[];
    try {
      // A linked folder is an entry of its own; what it links to is never listed (nor read).
      entries = listTree(dir);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return new DistTree(dir, files, links);
      throw error;
    }
    for (const entry of entries) {
      if (entry.isSymbolicLink() || entry.isFile()) take(relative(dir, join(entry.parentPath, entry.name)).split('\\').join('/'), entry.isSymbolicLink());
    }
    return new DistTree(dir, new Map([...files.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))), links);
  }

  get size(): number {
    return this.files.size;
  }

  /** The paths, sorted. */
  keys(): IterableIterator<string> {
    return this.files.keys();
  }

  has(path: string): boolean {
    return this.files.has(path);
  }

  /** The symbolic link among the folders above `path` (`web` for `web/deployment-web.yaml`), if one is. */
  linkAbove(path: string): string | undefined {
    if (this.links.size === 0) return undefined;
    for (let end = path.indexOf('/'); end !== -1; end = path.indexOf('/', end + 1)) {
      const folder = path.slice(0, end);
      if (this.links.has(folder)) return folder;
    }
    return undefined;
  }

  /** Whether the file is known, without reading it, to hold bytes whose sha256 is `sha256` (a stamp vouches for it). */
  vouches(path: string, sha256: string | undefined): boolean {
    return sha256 !== undefined && this.files.get(path) === sha256;
  }

  /** The file's bytes, read now when only their hash was known (a file over the size limit reads as a note of its size). */
  get(path: string): Buffer | undefined {
    const known = this.files.get(path);
    if (known === undefined || Buffer.isBuffer(known)) return known;
    const bytes = readDistFile(join(this.dir, path));
    this.files.set(path, bytes);
    return bytes;
  }

  /**
   * Whether the file holds exactly `text` (or what `text()` returns: called only when the bytes are
   * needed). For a file known by hash, the sha256 of `text` is compared instead of its bytes: pass it
   * when known, so that neither it nor `text` is computed. A file not read yet is read only when its
   * size is that of `text`.
   */
  holds(path: string, expected: string | (() => string), sha256?: string): boolean {
    const known = this.files.get(path);
    if (known === undefined) return false;
    if (typeof known === 'string' && sha256 !== undefined) return known === sha256;
    const text = typeof expected === 'string' ? expected : expected();
    if (typeof known === 'string') return known === contentHash(text);
    if (known === UNREAD) {
      const bytes = readDistFile(join(this.dir, path), Buffer.byteLength(text));
      if (bytes === undefined) return false;
      this.files.set(path, bytes);
      return bytes.toString('utf8') === text;
    }
    return known.toString('utf8') === text;
  }
}

/**
 * A regular file's bytes, never through a link at its own name. Over {@link MAX_DIST_FILE_BYTES}, a
 * note of its size instead; with `expectedBytes`, undefined (nothing read) when the size differs.
 */
function readDistFile(file: string): Buffer;
function readDistFile(file: string, expectedBytes: number): Buffer | undefined;
function readDistFile(file: string, expectedBytes?: number): Buffer | undefined {
  const fd = openSync(file, constants.O_RDONLY | constants.O_NOFOLLOW);
  try {
    const { size } = fstatSync(fd);
    if (expectedBytes !== undefined && size !== expectedBytes) return undefined;
    if (size > MAX_DIST_FILE_BYTES) return Buffer.from(`file of ${size} bytes, not read`);
    return readFileSync(fd);
  } finally {
    closeSync(fd);
  }
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

/**
 * The environments whose write was committed but not finished (a patch or a swap waiting beside the
 * tree): each is between two versions until the next command that writes dist/ completes it.
 */
export async function interruptedWrites(distDir: string): Promise<string[]> {
  const names = await readdir(distDir).catch(() => [] as string[]);
  return [...new Set(names.flatMap((name) => /^\.(.+)\.(previous|patch)$/.exec(name)?.[1] ?? []))].sort();
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
