#!/usr/bin/env node
// The manifold command: compiles the CLI and the repository's apps (cached), then runs it.
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { bundleFor, CompileError, locateCompileError } from '../launcher/bundle-cache.mjs';

const argv = process.argv.slice(2);
const rootFlag = argv.findIndex((arg) => arg === '--root' || arg.startsWith('--root='));
const rootArg = rootFlag < 0 ? '.' : argv[rootFlag].includes('=') ? argv[rootFlag].slice('--root='.length) : (argv[rootFlag + 1] ?? '.');
const root = resolve(rootArg);

process.setSourceMapsEnabled(true);
let bundle;
try {
  bundle = await bundleFor(root);
} catch (error) {
  if (!(error instanceof CompileError)) throw error;
  const [first] = error.errors;
  const { file, line, col } = locateCompileError(root, first);
  process.stderr.write(
    `${file}:${line}:${col}: cannot compile: ${first.text}\n  hint: fix the TypeScript syntax or the import; pnpm typecheck shows type errors\n`,
  );
  process.exit(2);
}
const { runCli, appModules } = await import(pathToFileURL(bundle).href);
process.exitCode = await runCli(argv, { importApp: async (file) => appModules.get(file) });
