/** Listing a folder's whole tree without following symbolic links. */
import { type Dirent, readdirSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Every entry below `dir` (files, folders and links, each with its `parentPath`), never descending
 * into a symbolic link: a link is an entry of its own. Node.js's own recursive `readdir` follows
 * linked folders from 22 on (the synchronous one, and from 26 the promise one too), which would read
 * through a link out of the tree.
 */
export function listTree(dir: string): Dirent[] {
  const entries: Dirent[] = [];
  const walk = (folder: string) => {
    for (const entry of readdirSync(folder, { withFileTypes: true })) {
      entries.push(entry);
      if (entry.isDirectory()) walk(join(folder, entry.name));
    }
  };
  walk(dir);
  return entries;
}
