/** Test helpers: a command run through the CLI's own parser and error model, its output captured, and a writable copy of the example. */
import { cp, mkdtemp, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { runCli } from '../run-cli.ts';
import { exampleRepository } from './example-repository.ts';

/** What one command printed and the exit code it ended with. */
export interface CommandRun {
  readonly code: number;
  readonly out: string;
  readonly err: string;
}

/** Runs `manifold <argv>` on the repository at `root` in this process, apps imported as source. */
export async function runCommand(root: string, argv: readonly string[]): Promise<CommandRun> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(argv, {
    root,
    importApp: (file) => import(pathToFileURL(join(root, file)).href),
    output: { out: (line) => out.push(`${line}\n`), err: (line) => err.push(`${line}\n`) },
  });
  process.removeAllListeners('SIGINT');
  return { code, out: out.join(''), err: err.join('') };
}

/** This repository's TypeScript settings, which an app made by `manifold new app` extends. */
const TSCONFIG_BASE = join(import.meta.dirname, '..', '..', '..', 'tsconfig.base.json');

/** A writable copy of the synthesized example repository (its node_modules linked, tsconfig.base.json beside it); `remove` deletes it. */
export async function exampleCopy(): Promise<{ root: string; remove: () => Promise<void> }> {
  const root = await mkdtemp(join(tmpdir(), 'manifold-command-'));
  const example = exampleRepository();
  for (const folder of ['apps', 'overlays', 'dist']) await cp(join(example, folder), join(root, folder), { recursive: true });
  await symlink(join(example, 'node_modules'), join(root, 'node_modules'));
  await cp(TSCONFIG_BASE, join(root, 'tsconfig.base.json'));
  return { root, remove: () => rm(root, { recursive: true, force: true }) };
}
