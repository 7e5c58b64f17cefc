/**
 * The folders of cli/src depend downward only: no folder imports, directly or through others, a
 * folder that imports it (type-only and dynamic imports count). README "Layout" lists each folder's layer.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const SRC = import.meta.dirname;
const IMPORT = /(?:(?:import|export)\s[^'";]*?from\s+|import\(\s*)'(\.[^']+)'/g;

/** Folder → folders its non-test sources import. */
function folderImports(): Map<string, Set<string>> {
  const folderOf = (path: string) => relative(SRC, dirname(path)).split('/')[0] || '.';
  const imports = new Map<string, Set<string>>();
  for (const entry of readdirSync(SRC, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile() || !entry.name.endsWith('.ts') || entry.name.endsWith('.test.ts')) continue;
    const file = join(entry.parentPath, entry.name);
    const from = folderOf(file);
    const targets = imports.get(from) ?? new Set<string>();
    for (const [, specifier] of readFileSync(file, 'utf8').matchAll(IMPORT)) {
      const to = folderOf(resolve(dirname(file), specifier ?? ''));
      if (to !== from) targets.add(to);
    }
    imports.set(from, targets);
  }
  return imports;
}

/** One import cycle among folders, as a path that comes back to its start, or undefined. */
function findCycle(imports: ReadonlyMap<string, ReadonlySet<string>>): string[] | undefined {
  const done = new Set<string>();
  const visit = (folder: string, path: string[]): string[] | undefined => {
    if (path.includes(folder)) return [...path.slice(path.indexOf(folder)), folder];
    if (done.has(folder)) return undefined;
    for (const next of imports.get(folder) ?? []) {
      const cycle = visit(next, [...path, folder]);
      if (cycle) return cycle;
    }
    done.add(folder);
    return undefined;
  };
  for (const folder of imports.keys()) {
    const cycle = visit(folder, []);
    if (cycle) return cycle;
  }
  return undefined;
}

describe('the folders of cli/src', () => {
  it('import one another without a cycle', () => {
    const imports = folderImports();
    expect(imports.size).toBeGreaterThan(10);
    expect(findCycle(imports)).toBeUndefined();
  });

  it('are found in a cycle when there is one', () => {
    expect(
      findCycle(
        new Map([
          ['config', new Set(['flux'])],
          ['flux', new Set(['yaml', 'config'])],
          ['yaml', new Set<string>()],
        ]),
      ),
    ).toEqual(['config', 'flux', 'config']);
  });
});
