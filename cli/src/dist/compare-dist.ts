/** Compares a rendered environment with dist/<env>/ on disk, for `synth --check`. */
import { createTwoFilesPatch } from 'diff';
import type { RenderedEnvironment } from '../render/render-environment.ts';
import { readTree, swapPaths } from './dist-tree.ts';
import { withIndex } from './write-dist.ts';

/** How dist/<env>/ differs from what synth would write. Paths are relative to the repository root. */
export interface DistDifference {
  /** Files whose content differs, with a unified diff (current → expected). */
  readonly stale: { readonly path: string; readonly diff: string }[];
  /** Files synth would write that are absent. */
  readonly missing: string[];
  /** Files present that synth would not write. */
  readonly orphaned: string[];
}

const MAX_DIFF_LINES = 40;

/** The differences between `rendered` and dist/<env>/ below `distDir`. Reads only. */
export async function compareEnvironment(distDir: string, rendered: RenderedEnvironment): Promise<DistDifference> {
  const current = readTree(swapPaths(distDir, rendered.env).live);
  const expected = withIndex(rendered);
  const shown = (path: string): string => `dist/${rendered.env}/${path}`;
  const stale: DistDifference['stale'] = [];
  const missing: string[] = [];
  for (const [path, bytes] of expected) {
    const actual = current.get(path)?.toString('utf8');
    if (actual === undefined) missing.push(shown(path));
    else if (actual !== bytes) stale.push({ path: shown(path), diff: unifiedDiff(shown(path), actual, bytes) });
  }
  const orphaned = [...current.keys()].filter((path) => !expected.has(path)).map(shown);
  return { stale, missing, orphaned };
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
