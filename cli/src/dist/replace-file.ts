/** Replaces one file atomically: readers see the old bytes or the new, never a partial write. */
import { rename, writeFile } from 'node:fs/promises';

/** Writes `text` to a temporary sibling of `path`, then renames it over `path`. */
export async function replaceFile(path: string, text: string): Promise<void> {
  const temporary = `${path}.manifold-${process.pid}.tmp`;
  await writeFile(temporary, text);
  await rename(temporary, path);
}
