/** The generated files of a dist/ tree read from a git revision, as each environment's ownership index lists them. */
import { INDEX_FILE, parseIndex } from '../render/ownership-index.ts';

/**
 * The files synth generated in each `<env>/` of `tree` (paths relative to dist/), by environment: only
 * the files the environment's index owns, so hand-kept files beside them are no change; an environment
 * without an index was not written by synth and is left out.
 */
export function generatedFilesByEnvironment(tree: ReadonlyMap<string, string>): Map<string, Map<string, string>> {
  const byEnv = new Map<string, Map<string, string>>();
  for (const [path, text] of tree) {
    const slash = path.indexOf('/');
    if (slash < 0) continue;
    const env = path.slice(0, slash);
    byEnv.set(env, (byEnv.get(env) ?? new Map()).set(path.slice(slash + 1), text));
  }
  for (const [env, files] of byEnv) {
    const index = files.get(INDEX_FILE);
    if (index === undefined) {
      byEnv.delete(env);
      continue;
    }
    const owned = parseIndex(index);
    byEnv.set(env, new Map([...files].filter(([path]) => owned.has(path))));
  }
  return byEnv;
}
