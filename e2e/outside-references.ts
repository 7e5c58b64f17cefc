/** Finds the places in a file's text that point outside the repository it belongs to. */
import { dirname, relative, resolve } from 'node:path';

/** Absolute paths of a developer's machine, never of the image a workflow or container runs on. */
const MACHINE_PATH = /(?<![\w.$/-])\/(work|home|Users|root)\/[\w.-]+/;
/** The reference folder beside the workspace this was written in (spelled so that this file does not name it). */
const SIBLING_FOLDER = ['..', 'shared'].join('/');
const CLIMBING_PATH = /(?:\.\.\/)+[\w.-]+/g;

/** Every place in `text` (a file at `file`) that points outside the repository. */
export function outsideReferences(root: string, file: string, text: string): string[] {
  const found: string[] = [];
  text.split('\n').forEach((line, index) => {
    const where = `${file}:${index + 1}`;
    if (line.includes(SIBLING_FOLDER) || /\bshared\/(docs|flux-fixtures)\b/.test(line)) found.push(`${where}: names ${SIBLING_FOLDER}`);
    const machinePath = MACHINE_PATH.exec(line);
    if (machinePath) found.push(`${where}: absolute path ${machinePath[0]}`);
    for (const [climb] of line.matchAll(CLIMBING_PATH)) {
      if (relative(root, resolve(root, dirname(file), climb)).startsWith('..')) found.push(`${where}: ${climb} climbs out of the repository`);
    }
  });
  return found;
}
