/**
 * The GitHub workflows, composite action and scripts `manifold init` gives a new repository: this
 * reference repository's own `.github/`, packed into the CLI package (`templates/github/`) so a
 * released version carries them, with the environment names a new repository chooses.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { isMap, isSeq, parseDocument } from 'yaml';
import { listTree } from '../files/file-tree.ts';

/** What only Manifold's own CI uses: the Node.js lines its tests run on. */
const MANIFOLD_ONLY = new Set(['scripts/node-lines.mjs']);
/** The environments the reference workflows name. */
const REFERENCE_ENVIRONMENTS = ['dev', 'staging', 'prod'] as const;

/** The folder the templates come from: packed beside the CLI, or (in the reference repository) its own `.github/`. */
export function githubTemplateFolder(cliRoot: string): string {
  const packed = join(cliRoot, 'templates', 'github');
  return existsSync(packed) ? packed : join(cliRoot, '..', '.github');
}

/**
 * `.github/<path>` → content for a new repository whose environments are `envs` (in promotion order):
 * every workflow, the setup action and the scripts the workflows run; `ci.yml` checks the team's
 * repository (type-check, `pnpm check`, the review comment) rather than running Manifold's own tests.
 */
export async function githubFiles(folder: string, envs: readonly string[]): Promise<Map<string, string>> {
  const files = new Map<string, string>();
  const paths = listTree(folder)
    .filter((entry) => entry.isFile())
    .map((entry) => relative(folder, join(entry.parentPath, entry.name)).split(sep).join('/'))
    .sort();
  for (const path of paths) {
    if (MANIFOLD_ONLY.has(path)) continue;
    let text = await readFile(join(folder, path), 'utf8');
    if (path === 'workflows/ci.yml') text = teamCi(text);
    if (path.startsWith('workflows/')) text = retarget(text, envs);
    if (path === 'workflows/promote.yml' && envs.length < 2) continue;
    files.set(`.github/${path}`, text);
  }
  return files;
}

/** The reference CI without the jobs and steps that test Manifold itself. */
function teamCi(text: string): string {
  const document = parseDocument(text);
  const jobs = document.get('jobs');
  if (!isMap(jobs)) throw new Error('ci.yml has no jobs map');
  jobs.delete('node-lines');
  jobs.delete('other-node-lines');
  const check = jobs.get('check');
  const steps = isMap(check) ? check.get('steps') : undefined;
  if (!isMap(check) || !isSeq(steps)) throw new Error('ci.yml has no check job with steps');
  const testsOnly = new Set(['pnpm lint', 'pnpm test', 'pnpm test:setup']);
  steps.items = steps.items.filter((step) => !(isMap(step) && testsOnly.has(String(step.get('run') ?? '').trim())));
  const env = check.get('env');
  if (isMap(env)) env.delete('CHROMIUM_PATH');
  return document.toString({ lineWidth: 0 });
}

/** `text` with the reference environments (dev, staging, prod) replaced by `envs` where a workflow names them. */
function retarget(text: string, envs: readonly string[]): string {
  if (envs.join() === REFERENCE_ENVIRONMENTS.join()) return text;
  const first = envs[0] ?? '';
  const last = envs.at(-1) ?? '';
  const byName: Record<string, string> = { dev: first, staging: envs.length > 2 ? (envs[1] ?? first) : first, prod: last };
  const list = (names: readonly string[]) => `[${names.join(', ')}]`;
  return (
    text
      .replaceAll('options: [dev, staging, prod]', `options: ${list(envs)}`)
      .replaceAll('options: [dev, staging]', `options: ${list(envs.slice(0, -1))}`)
      .replaceAll('options: [staging, prod]', `options: ${list(envs.slice(1))}`)
      // Every other dev, staging or prod in a workflow names an environment (checked by the tests).
      .replace(/(?<![/.\-\w])(dev|staging|prod)(?![-/.\w])/g, (name: string) => byName[name] ?? name)
  );
}
