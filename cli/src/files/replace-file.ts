/** Replaces files atomically: readers see the old bytes or the new, never a partial write. */
import { rename, rm, writeFile } from 'node:fs/promises';

/** Writes `text` to a temporary sibling of `path`, then renames it over `path`; no temporary file survives a failure. */
export async function replaceFile(path: string, text: string): Promise<void> {
  const staged = await stageFile(path, text);
  try {
    await staged.commit();
  } finally {
    await staged.discard();
  }
}

/** A file written beside its destination, not yet in place. */
export interface StagedFile {
  /** Renames it over the destination. */
  commit(): Promise<void>;
  /** Removes it if it was not committed. */
  discard(): Promise<void>;
}

/**
 * Writes `text` beside `path` without touching `path`, so that several files (and a dist/ swap) can be
 * made ready before any of them replaces what is there.
 */
export async function stageFile(path: string, text: string): Promise<StagedFile> {
  const temporary = `${path}.manifold-${process.pid}.tmp`;
  try {
    await writeFile(temporary, text, { flag: 'wx' });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    // Left by an earlier run of a process with the same pid that was killed: ours to replace.
    await rm(temporary, { force: true });
    await writeFile(temporary, text, { flag: 'wx' });
  }
  let committed = false;
  return {
    async commit() {
      await rename(temporary, path);
      committed = true;
    },
    async discard() {
      if (!committed) await rm(temporary, { force: true });
    },
  };
}
