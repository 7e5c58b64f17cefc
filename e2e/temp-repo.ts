/** End-to-end helpers: a temporary copy of this repository and the real CLI run against it. */
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, symlinkSync } from 'node:fs';
import { cp, mkdir, mkdtemp, readdir, readFile, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { listTree } from '../cli/src/files/file-tree.ts';
import { EXAMPLE_VARIABLE, exampleRepository } from '../cli/src/testing/example-repository.ts';

export { exampleRepository };

/** The repository this test suite belongs to: its CLI, packages and scripts (never its apps, overlays or dist/). */
export const REPO_ROOT = join(import.meta.dirname, '..');
const CLI = join(REPO_ROOT, 'cli', 'bin', 'manifold.mjs');
/** The example repository the tests work on: apps and overlays of their own, independent of this repository's. */
const EXAMPLE_FIXTURE = join(import.meta.dirname, 'fixtures', 'example');

/**
 * Builds the example repository in `dir` from the fixture (apps/, overlays/) and synthesizes it, so
 * its dist/ and pin markers are what this CLI writes. Run once per test run by the global setup.
 */
export function prepareExample(dir: string): string {
  mkdirSync(dir, { recursive: true });
  for (const folder of ['apps', 'overlays']) cpSync(join(EXAMPLE_FIXTURE, folder), join(dir, folder), { recursive: true });
  symlinkSync(join(REPO_ROOT, 'node_modules'), join(dir, 'node_modules'));
  const synth = spawnSync(process.execPath, [CLI, '--root', dir, 'synth'], { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
  if (synth.status !== 0) throw new Error(`synth of the example repository (e2e/fixtures/example) failed:\n${synth.stdout}${synth.stderr}`);
  process.env[EXAMPLE_VARIABLE] = dir;
  return dir;
}

/**
 * A new empty folder (below `parent`, default the system temporary folder) that resolves packages from
 * this repository. With `ownCaches`, its node_modules is a folder of links to this repository's
 * packages, so its caches (compiled bundle, renders, verdicts) are its own: no other run changes what
 * its runs read, and a package can be re-pointed.
 */
export async function newRepository(parent = tmpdir(), options: { ownCaches?: boolean } = {}): Promise<string> {
  await mkdir(parent, { recursive: true });
  const root = await mkdtemp(join(parent, 'manifold-e2e-'));
  if (!options.ownCaches) {
    await symlink(join(REPO_ROOT, 'node_modules'), join(root, 'node_modules'));
    return root;
  }
  await mkdir(join(root, 'node_modules'));
  for (const entry of await readdir(join(REPO_ROOT, 'node_modules'))) {
    if (entry !== '.cache') await symlink(join(REPO_ROOT, 'node_modules', entry), join(root, 'node_modules', entry));
  }
  return root;
}

/** A {@link newRepository} holding a copy of the example repository's apps/, overlays/ and dist/. */
export async function copyRepository(parent = tmpdir(), options: { ownCaches?: boolean } = {}): Promise<string> {
  const root = await newRepository(parent, options);
  const example = exampleRepository();
  for (const folder of ['apps', 'overlays', 'dist']) {
    await cp(join(example, folder), join(root, folder), { recursive: true });
  }
  return root;
}

/**
 * Adds app `name` to the repository at `root`: it emits `objects` as they are through cdk8s
 * `ApiObject` (importing cdk8s itself, as an app that writes raw objects does) and uses no image.
 */
export async function addRawObjectsApp(root: string, name: string, objects: readonly object[]): Promise<void> {
  await mkdir(join(root, 'apps', name, 'src'), { recursive: true });
  await mkdir(join(root, 'apps', name, 'node_modules'));
  await symlink(join(REPO_ROOT, 'constructs/node_modules/cdk8s'), join(root, 'apps', name, 'node_modules/cdk8s'));
  await writeFile(join(root, 'apps', name, 'package.json'), `{ "name": "@apps/${name}", "private": true, "type": "module" }\n`);
  await writeFile(
    join(root, 'apps', name, 'src/index.ts'),
    `import { defineApp } from '@manifold/constructs';
import { ApiObject } from 'cdk8s';

export default defineApp({
  name: '${name}',
  images: [],
  build(chart) {
${objects.map((object, index) => `    new ApiObject(chart, 'Object${index}', ${JSON.stringify(object)});`).join('\n')}
  },
});
`,
  );
}

/** Rewrites `file` with `change`; an edit that changes nothing is a mistake in the test and throws. */
export async function editFile(file: string, change: (text: string) => string): Promise<void> {
  const before = await readFile(file, 'utf8');
  const after = change(before);
  if (after === before) throw new Error(`the edit of ${file} changed nothing`);
  await writeFile(file, after);
}

/** What one CLI run printed and how it exited. */
export interface CliRun {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Spawns the manifold CLI on `root`; `onStart` may act on the running child (e.g. kill it). */
export function runManifold(
  root: string,
  args: readonly string[],
  options: { env?: NodeJS.ProcessEnv; onStart?: (child: ReturnType<typeof spawn>) => void } = {},
): Promise<CliRun> {
  return runManifoldIn(root, ['--root', root, ...args], options);
}

/** Spawns the manifold CLI in `cwd` with exactly `args`, as a user in a shell would (no --root added). */
export function runManifoldIn(
  cwd: string,
  args: readonly string[],
  options: { env?: NodeJS.ProcessEnv; onStart?: (child: ReturnType<typeof spawn>) => void } = {},
): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], {
      cwd,
      env: { ...process.env, NO_COLOR: '1', ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
    options.onStart?.(child);
  });
}

/** Every file below `dir` (path → content), to prove what a command did or did not write. */
export async function snapshot(dir: string): Promise<Map<string, string>> {
  const files = new Map<string, string>();
  // Never through a link (node_modules is one): Node.js 26's recursive readdir would follow it.
  const entries = existsSync(dir) ? listTree(dir) : [];
  for (const entry of entries) {
    if (!entry.isFile()) continue;
    const path = join(entry.parentPath, entry.name);
    files.set(relative(dir, path), await readFile(path, 'utf8'));
  }
  return new Map([...files.entries()].sort(([a], [b]) => (a < b ? -1 : 1)));
}
