/** Compares a rendered environment with dist/<env>/ on disk, for `synth --check`. */
import { createTwoFilesPatch } from 'diff';
import { INDEX_FILE, isGeneratedFile } from '../render/ownership-index.ts';
import type { RenderedEnvironment } from '../render/render-environment.ts';
import { DistTree, swapPaths } from './dist-tree.ts';
import { contentHashes, recordedOwnership, withIndex } from './write-dist.ts';

/** How dist/<env>/ differs from what synth would write. Paths are relative to the repository root. */
export interface DistDifference {
  /** Files whose content differs, with a unified diff (current → expected). */
  readonly stale: { readonly path: string; readonly diff: string }[];
  /** Files synth would write that are absent. */
  readonly missing: string[];
  /** Files synth generated earlier (they are in its index) that it would no longer write: synth prunes them. */
  readonly orphaned: string[];
  /** Files synth never generated: kept by synth, never listed in the kustomization, not a failure. */
  readonly foreign: string[];
}

const MAX_DIFF_LINES = 40;

/**
 * The differences between `rendered` and dist/<env>/ below `distDir` (or `tree`, when it was read
 * already): `expected` is what synth would write, unless given. Reads only.
 */
export function compareEnvironment(
  distDir: string,
  rendered: RenderedEnvironment,
  tree?: DistTree,
  expectedFiles?: ReadonlyMap<string, string>,
): DistDifference {
  const current = tree ?? DistTree.read(swapPaths(distDir, rendered.env).live);
  const { files: expected, hashes } = expectedFiles ? { files: expectedFiles, hashes: contentHashes(rendered, expectedFiles) } : withIndex(rendered);
  const shown = (path: string): string => `dist/${rendered.env}/${path}`;
  const stale: DistDifference['stale'] = [];
  const missing: string[] = [];
  // By path, compared by hash where the tree knows it: the bytes of a file that did not change are never read.
  for (const path of expected.keys()) {
    const bytes = () => expected.get(path) ?? '';
    if (!current.has(path)) missing.push(shown(path));
    else if (!current.holds(path, bytes, hashes.get(path))) {
      stale.push({ path: shown(path), diff: unifiedDiff(shown(path), current.get(path)?.toString('utf8') ?? '', bytes()) });
    }
  }
  const owned = recordedOwnership(current, rendered);
  const unexpected = [...current.keys()].filter((path) => !expected.has(path) && path !== INDEX_FILE);
  const generated = (path: string) => owned(path) !== undefined && isGeneratedFile(path, current.get(path) ?? '');
  const orphaned = unexpected.filter(generated).map(shown);
  const foreign = unexpected.filter((path) => !generated(path)).map(shown);
  if (current.has(INDEX_FILE) && !expected.has(INDEX_FILE)) orphaned.push(shown(INDEX_FILE));
  return { stale, missing, orphaned, foreign };
}

/** True when there is nothing to report. */
export function isClean(difference: DistDifference): boolean {
  return difference.stale.length === 0 && difference.missing.length === 0 && difference.orphaned.length === 0;
}

/** A unified diff (current → expected) cut to a readable length. */
export function unifiedDiff(path: string, actual: string, expected: string): string {
  const patch = createTwoFilesPatch(`a/${path}`, `b/${path}`, actual, expected, undefined, undefined, { context: 2 });
  const lines = patch.split('\n').filter((line) => !line.startsWith('====='));
  const kept = lines.slice(0, MAX_DIFF_LINES);
  if (lines.length > MAX_DIFF_LINES) kept.push(`… ${lines.length - MAX_DIFF_LINES} more diff lines`);
  return kept.join('\n').trimEnd();
}
