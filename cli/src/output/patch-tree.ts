/**
 * Changing some files of an existing dist/<env>/ in place, as one transaction: the new files are
 * staged beside the tree with a journal of what they replace and remove, and a single rename of the
 * staging folder to `dist/.<env>.patch` commits them. Each file is then moved in (the file it
 * replaces moved aside into the patch folder first). A failure rolls every moved file back, so the
 * tree is all-old; a kill after the commit is completed by the next run ({@link completePatch}), so
 * the tree ends all-new. The cost is that of the files that change, not of the whole tree.
 */
import { existsSync, lstatSync, mkdirSync, readFileSync, renameSync, rmdirSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { linkOnPath } from '../files/repository-paths.ts';

const JOURNAL = 'journal.json';
const NEW = 'new';
const OLD = 'old';

/** What a patch does to dist/<env>/, by path relative to it. */
interface Journal {
  readonly replace: readonly string[];
  readonly remove: readonly string[];
}

/** One step taken while applying, so that a failure can undo it. */
type Step = { readonly moved: 'aside' | 'in'; readonly path: string } | { readonly created: string };

/**
 * Writes `changed` (new content by path) into the staging folder `staging` with the journal of a
 * patch that also removes `removed`. Nothing in the live tree is touched.
 */
export function stagePatch(staging: string, changed: ReadonlyMap<string, string>, removed: readonly string[]): void {
  const folders = new Set<string>();
  for (const [path, bytes] of changed) {
    const file = join(staging, NEW, path);
    if (!folders.has(dirname(file))) {
      mkdirSync(dirname(file), { recursive: true });
      folders.add(dirname(file));
    }
    writeFileSync(file, bytes);
  }
  mkdirSync(staging, { recursive: true });
  writeFileSync(join(staging, JOURNAL), JSON.stringify({ replace: [...changed.keys()], remove: removed } satisfies Journal));
}

/**
 * Applies the committed patch folder `patch` to `live`. On a failure every step taken is undone
 * (the tree is all-old again) and the error is thrown; the patch folder is left for the caller.
 */
export function applyPatch(live: string, patch: string): void {
  const steps: Step[] = [];
  try {
    movePatchIn(live, patch, steps);
  } catch (error) {
    undo(live, patch, steps);
    throw error;
  }
}

/**
 * Completes a patch a killed process committed but did not finish (moving in what is still staged),
 * then removes its folder. A patch folder without a journal had finished: only the folder goes.
 */
export function completePatch(live: string, patch: string): void {
  if (existsSync(join(patch, JOURNAL))) movePatchIn(live, patch, []);
  finishPatch(live, patch);
}

function movePatchIn(live: string, patch: string, steps: Step[]): void {
  const journal = readJournal(patch);
  for (const path of [...journal.replace, ...journal.remove]) checkPathBelow(live, path);
  // Every step is safe to repeat after a kill: a file still staged has not been moved in yet.
  for (const path of journal.replace) {
    const fresh = join(patch, NEW, path);
    if (!existsSync(fresh)) continue;
    moveAside(live, patch, path, steps);
    const target = join(live, path);
    // An undo removes the folders made here, the deepest first, as far up as they are empty.
    if (mkdirSync(dirname(target), { recursive: true })) steps.push({ created: dirname(target) });
    renameSync(fresh, target);
    steps.push({ moved: 'in', path });
  }
  for (const path of journal.remove) moveAside(live, patch, path, steps);
}

/**
 * The journal of `patch`. A patch folder is found in dist/, which a checkout can fill: anything but
 * lists of paths is refused.
 */
function readJournal(patch: string): Journal {
  const journal = JSON.parse(readFileSync(join(patch, JOURNAL), 'utf8')) as Partial<Journal>;
  const paths = (list: unknown): list is string[] => Array.isArray(list) && list.every((path) => typeof path === 'string');
  if (!paths(journal.replace) || !paths(journal.remove)) throw patchPathError(join(patch, JOURNAL), 'is not a patch journal');
  return journal as Journal;
}

/**
 * Refuses `path` unless it names a place below `live` reached through real folders only: relative,
 * no `.`/`..`/empty segment, and neither `live` nor any folder on the way a symbolic link. Moving a
 * file in or aside through a link would change files of another environment or outside the repository.
 */
function checkPathBelow(live: string, path: string): void {
  const segments = path.split('/');
  if (segments.some((segment) => segment === '' || segment === '.' || segment === '..' || segment.includes('\\'))) {
    throw patchPathError(join(live, path), 'is not a path below the environment');
  }
  const link = linkOnPath(dirname(live), [basename(live), ...segments.slice(0, -1)].join('/'));
  if (link !== undefined) throw patchPathError(join(dirname(live), link), 'is a symbolic link, never followed');
}

/** A refusal told as a file-system error on `path` (ELOOP), so that it is described like any other write failure. */
function patchPathError(path: string, reason: string): NodeJS.ErrnoException {
  return Object.assign(new Error(`${path} ${reason}`), { code: 'ELOOP', syscall: 'lstat', path });
}

/** Moves the live file at `path` (if any) into the patch folder, where an undo finds it. */
function moveAside(live: string, patch: string, path: string, steps: Step[]): void {
  const target = join(live, path);
  if (!lstatSync(target, { throwIfNoEntry: false })) return;
  const aside = join(patch, OLD, path);
  mkdirSync(dirname(aside), { recursive: true });
  renameSync(target, aside);
  steps.push({ moved: 'aside', path });
}

function undo(live: string, patch: string, steps: readonly Step[]): void {
  for (const step of [...steps].reverse()) {
    if ('created' in step) removeEmptyFolders(live, step.created);
    else if (step.moved === 'in') renameSync(join(live, step.path), join(patch, NEW, step.path));
    else renameSync(join(patch, OLD, step.path), join(live, step.path));
  }
}

/**
 * After {@link applyPatch}: removes the folders the patch's removals emptied, then the journal (from
 * here on the patch is complete), then the patch folder with the replaced files in it.
 */
export function finishPatch(live: string, patch: string): void {
  const journalFile = join(patch, JOURNAL);
  if (existsSync(journalFile)) {
    const journal = readJournal(patch);
    for (const path of journal.remove) removeEmptyFolders(live, dirname(join(live, path)));
    rmSync(journalFile);
  }
  rmSync(patch, { recursive: true, force: true });
}

/** Removes `folder` and its parents below `live` while they are empty. */
function removeEmptyFolders(live: string, folder: string): void {
  for (let current = folder; current.startsWith(`${live}/`); current = dirname(current)) {
    try {
      rmdirSync(current);
    } catch {
      return;
    }
  }
}
