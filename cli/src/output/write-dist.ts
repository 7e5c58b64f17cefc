/** Writes one rendered environment into dist/<env>/: owned files only, atomically, pruning what is gone. */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { ConfigError } from '../errors/config-error.ts';
import { contentHash } from '../files/content-hash.ts';
import { formatIndex, INDEX_FILE, indexEntry, isGeneratedFile, ownershipHash, parseIndex } from '../render/ownership-index.ts';
import type { RenderedEnvironment } from '../render/render-environment.ts';
import { RenderedFiles } from '../render/rendered-files.ts';
import { DistTree, recoverInterruptedSwap, removeTree, swapPaths } from './dist-tree.ts';
import { describeWriteFailure } from './dist-write-error.ts';
import { applyPatch, finishPatch, stagePatch } from './patch-tree.ts';

/** What a write changed. Paths are relative to the repository root. */
export interface WriteResult {
  readonly written: string[];
  /** Generated files whose bytes stay as they are. */
  readonly unchanged: string[];
  readonly pruned: string[];
  /** Files synth did not generate, left in place. */
  readonly foreign: string[];
}

/** Options of {@link planEnvironmentWrite}. */
export interface WriteOptions {
  /** Overwrite generated files that were edited by hand, discarding the edits. */
  readonly force?: boolean;
  /** dist/<env>/ as read under the same lock, after recovery; read again when absent. */
  readonly current?: DistTree;
}

/**
 * The full content dist/<env>/ should have for `rendered`, index included (empty for a retired
 * environment), with the sha256 of each file. Files are read only when asked for (see rendered-files.ts).
 */
export function withIndex(rendered: RenderedEnvironment): ExpectedFiles {
  let expected = expectedFiles.get(rendered);
  if (!expected) {
    if (rendered.files.size === 0) return { files: new Map(), hashes: new Map() };
    const index = formatIndex(rendered.files, rendered.ownership);
    const files = rendered.files instanceof RenderedFiles ? rendered.files.with(INDEX_FILE, index) : new Map([...rendered.files, [INDEX_FILE, index]]);
    // The renderer hashed every file it made (kustomizations included): those hashes are taken whole.
    const hashes =
      rendered.hashes?.size === rendered.files.size
        ? new Map(rendered.hashes)
        : new Map([...rendered.files.keys()].map((path) => [path, rendered.hashes?.get(path) ?? contentHash(rendered.files.get(path) ?? '')]));
    expected = { files, hashes: hashes.set(INDEX_FILE, contentHash(index)) };
    expectedFiles.set(rendered, expected);
  }
  return expected;
}

/** What dist/<env>/ should hold, with the sha256 of each file. */
interface ExpectedFiles {
  readonly files: ReadonlyMap<string, string>;
  readonly hashes: ReadonlyMap<string, string>;
}

/** {@link withIndex} of each rendered environment, made once. */
const expectedFiles = new WeakMap<RenderedEnvironment, ExpectedFiles>();

/**
 * The ownership hash dist/<env>/'s index (in `tree`) records for a path, read lazily: when the tree
 * vouches that its index is the one `rendered` writes (the usual case when only pins moved), from
 * `rendered` itself, without reading or parsing the index.
 */
export function recordedOwnership(tree: DistTree, rendered: RenderedEnvironment): (path: string) => string | undefined {
  const { files, hashes } = withIndex(rendered);
  if (tree.vouches(INDEX_FILE, hashes.get(INDEX_FILE))) {
    return (path) => (path !== INDEX_FILE && files.has(path) ? (rendered.ownership?.get(path) ?? ownershipHash(files.get(path) ?? '')) : undefined);
  }
  let text: string | undefined;
  let owned: Map<string, string> | undefined;
  let lookups = 0;
  // A few paths (the files an edit changed) are looked up in the text; many, in the index parsed once.
  return (path) => {
    text ??= tree.get(INDEX_FILE)?.toString('utf8') ?? '';
    if (!owned && lookups++ < INDEX_SEARCHES) return indexEntry(text, path);
    owned ??= parseIndex(text);
    return owned.get(path);
  };
}

/** Paths looked up in an index's text before it is parsed whole. */
const INDEX_SEARCHES = 32;

/** The sha256 of each of `files` (content by path), taken from `rendered` for the files it holds as they are. */
export function contentHashes(rendered: RenderedEnvironment, files: ReadonlyMap<string, string>): Map<string, string> {
  return new Map(
    [...files].map(([path, bytes]) => {
      const known = rendered.files.get(path) === bytes ? rendered.hashes?.get(path) : undefined;
      return [path, known ?? contentHash(bytes)];
    }),
  );
}

/** A checked write of one environment, ready to apply. */
export interface WritePlan {
  readonly distDir: string;
  readonly env: string;
  readonly result: WriteResult;
  /** Files to write with their new content; empty when nothing changes. */
  readonly changed: ReadonlyMap<string, string>;
  /** Files that stay as they are (foreign ones included). */
  readonly kept: readonly string[];
  /** Files to remove, by path relative to dist/<env>/: the pruned ones, and the index of a retired environment. */
  readonly removed: readonly string[];
  /** The sha256 of every file dist/<env>/ holds once written, by path relative to it (foreign files have none). */
  readonly hashes: ReadonlyMap<string, string>;
}

/**
 * Decides how dist/<env>/ becomes `rendered`, reading only. Call with the dist lock held. Refuses
 * when a generated file was edited since synth wrote it, unless `force`, or when a rendered file
 * would replace a file synth did not generate. Files synth never wrote are carried over untouched.
 */
export async function planEnvironmentWrite(distDir: string, rendered: RenderedEnvironment, options: WriteOptions = {}): Promise<WritePlan> {
  const env = rendered.env;
  let current = options.current;
  if (!current) {
    await recoverInterruptedSwap(distDir, env);
    current = DistTree.read(swapPaths(distDir, env).live);
  }
  const tree = current;
  const { files: next, hashes } = withIndex(rendered);
  const owned = recordedOwnership(tree, rendered);
  // Compared by hash where the tree knows it: the bytes of a file that did not change are never read.
  const holdsNext = (path: string): boolean => next.has(path) && tree.holds(path, () => next.get(path) ?? '', hashes.get(path));
  const shown = (path: string): string => `dist/${env}/${path}`;

  const edited: string[] = [];
  const foreign: string[] = [];
  const pruned: string[] = [];
  /** The files that already hold exactly what synth writes there (each compared once). */
  const held = new Set<string>();
  for (const path of tree.keys()) {
    // A file that already holds exactly what synth writes there is kept (outside the index, a lost index: taken over).
    if (holdsNext(path)) {
      held.add(path);
      continue;
    }
    if (path === INDEX_FILE) continue;
    const ownedHash = owned(path);
    if (next.has(path)) {
      if (ownedHash === undefined) foreign.push(path);
      else if (ownedHash !== ownershipHash(tree.get(path) ?? '')) edited.push(path);
    } else if (ownedHash === undefined || !isGeneratedFile(path, tree.get(path) ?? '')) {
      // The index alone never condemns a file: one it lists that synth could not have written stays.
      foreign.push(path);
    } else {
      // A hand-edited file is pruned only with --force (the edit is then discarded).
      if (ownedHash !== ownershipHash(tree.get(path) ?? '')) edited.push(path);
      pruned.push(path);
    }
  }
  for (const path of next.keys()) {
    const link = tree.linkAbove(path);
    if (link !== undefined) {
      throw new ConfigError({
        file: shown(link),
        line: 1,
        col: 1,
        message: `is a symbolic link, and synth would write ${shown(path)} through it; synth never follows links in dist/`,
        hint: `remove the link (git rm ${shown(link)}) and run synth again`,
      });
    }
  }
  const blocking = foreign.filter((path) => next.has(path));
  if (blocking.length > 0) {
    throw new ConfigError({
      file: shown(blocking[0] ?? ''),
      line: 1,
      col: 1,
      message: `synth would overwrite ${blocking.length === 1 ? 'this file' : `${blocking.length} files (${blocking.map(shown).join(', ')})`}, which it did not generate`,
      hint: 'move the file out of dist/, or delete it if synth should own it',
    });
  }
  if (edited.length > 0 && !options.force) {
    throw new ConfigError({
      file: shown(edited[0] ?? ''),
      line: 1,
      col: 1,
      message: `generated file${edited.length === 1 ? ' was' : `s were`} edited by hand: ${edited.map(shown).join(', ')}`,
      hint: 'make the change in apps/ or overlays/ instead; pnpm synth --force discards the edits',
    });
  }

  const written: string[] = [];
  const unchanged: string[] = [];
  for (const path of next.keys()) (held.has(path) ? unchanged : written).push(path);
  const result: WriteResult = { written: written.map(shown), unchanged: unchanged.map(shown), pruned: pruned.map(shown), foreign: foreign.map(shown) };
  if (written.length === 0 && pruned.length === 0) return { distDir, env, result, changed: new Map(), kept: [], removed: [], hashes };
  const changed = new Map(written.map((path) => [path, next.get(path) ?? '']));
  const kept = [...unchanged, ...foreign.filter((path) => !next.has(path))];
  const removed = [...pruned, ...(tree.has(INDEX_FILE) && !next.has(INDEX_FILE) ? [INDEX_FILE] : [])];
  return { distDir, env, result, changed, kept, removed, hashes };
}

/** A write staged beside dist/<env>/ by {@link stageWritePlan}, holding none of its bytes: commit it or discard it. */
export interface StagedWrite {
  /** Moves the staged files in; a failure at any step leaves dist/<env> all-old or all-new, and says which. */
  commit(): void;
  /** Removes what was staged; dist/<env> stays as it was. */
  discard(): void;
}

/**
 * Writes what a plan changes beside dist/<env>/, leaving the tree itself untouched, so that the
 * plan's bytes need not be held until every environment is ready. An existing dist/<env>/ is then
 * patched in place (only the files that change are written, see patch-tree.ts); a new one is built
 * beside its place and renamed in; a retired one is renamed away and removed. Call with the dist lock
 * held, and commit under the same lock.
 */
export function stageWritePlan(plan: WritePlan): StagedWrite {
  const nothing = { commit: () => {}, discard: () => {} };
  if (plan.changed.size === 0 && plan.result.pruned.length === 0) return nothing;
  const { live, previous, nextPrefix, patch } = swapPaths(plan.distDir, plan.env);
  const root = dirname(plan.distDir);
  const shown = `dist/${plan.env}`;
  if (plan.changed.size === 0 && plan.kept.length === 0) {
    // A retired environment with nothing left in it: the folder goes, in one rename.
    const commit = () => {
      try {
        renameSync(live, previous);
      } catch (error) {
        throw describeWriteFailure(error, root, 'remove', `${shown} is unchanged`);
      }
      removeOldTree(previous, root, `${shown} is removed`);
    };
    return { commit, discard: () => {} };
  }
  // mkdir (not mkdtemp) so that the tree gets the user's umask, not 0700.
  const staging = `${nextPrefix}${randomBytes(6).toString('hex')}`;
  const patching = existsSync(live);
  const discard = () => rmSync(staging, { recursive: true, force: true });
  try {
    if (patching) stagePatch(staging, plan.changed, plan.removed);
    else writeTree(plan.changed, staging);
  } catch (error) {
    discard();
    throw describeWriteFailure(error, root, 'write', `${shown} is unchanged`);
  }
  const commit = () => {
    try {
      // The commit: one rename.
      renameSync(staging, patching ? patch : live);
    } catch (error) {
      discard();
      throw describeWriteFailure(error, root, 'replace', `${shown} is unchanged`);
    }
    if (!patching) return;
    try {
      applyPatch(live, patch);
    } catch (error) {
      rmSync(patch, { recursive: true, force: true });
      throw describeWriteFailure(error, root, 'replace', `${shown} is unchanged`);
    }
    try {
      finishPatch(live, patch);
    } catch (error) {
      throw describeWriteFailure(error, root, 'remove the replaced files', `${shown} is up to date, but ${relative(root, patch)} is left over`);
    }
  };
  return { commit, discard };
}

/** Writes `files` (content by path) below the new folder `folder`. */
function writeTree(files: ReadonlyMap<string, string>, folder: string): void {
  // Synchronous calls, all on the main thread: for thousands of small files they are several times
  // faster than fs/promises, and the order of operations is exactly the order written here.
  const folders = new Set<string>();
  mkdirSync(folder);
  for (const [path, bytes] of files) {
    const file = join(folder, path);
    if (!folders.has(dirname(file))) {
      mkdirSync(dirname(file), { recursive: true });
      folders.add(dirname(file));
    }
    writeFileSync(file, bytes);
  }
}

/** Removes the replaced tree; if the disk refuses, the new tree stays and the leftover is named. */
function removeOldTree(previous: string, root: string, outcome: string): void {
  try {
    removeTree(previous);
  } catch (error) {
    throw describeWriteFailure(error, root, 'remove the replaced tree', `${outcome}, but ${relative(root, previous)} is left over`);
  }
}
