#!/usr/bin/env node
// The manifold command: compiles the CLI and the repository's apps (cached), then runs it.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { setFlagsFromString } from 'node:v8';

// The Node.js lines Manifold supports are package.json's engines range, and only there. Checked before
// anything else is loaded: the rest may use what an older Node.js lacks.
const { engines } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
if (!createRequire(import.meta.url)('semver').satisfies(process.versions.node, engines.node)) {
  process.stderr.write(`manifold needs Node.js ${engines.node}; this is ${process.version}\n`);
  process.exit(2);
}
const { bundleFor, CompileError, cacheDirFor, locateCompileError, renderCacheDir } = await import('../launcher/bundle-cache.mjs');
const { findRepositoryRoot, NotARepositoryError } = await import('../launcher/repository-root.mjs');
const { importCompiledApp } = await import('../launcher/compiled-app.mjs');

// After each full collection V8 lets the heap grow to up to four times what is live before the next
// one. Rendering makes garbage fast, so a synth's peak was mostly that headroom: 1.5 times what is live
// cut a cold synth of 2,000 apps × 3 environments from 444 to 315 MiB and made it no slower (less
// memory to fault in). Set before the CLI runs; a flag given to node itself wins.
if (!process.execArgv.some((arg) => arg.startsWith('--heap-growing-percent'))) setFlagsFromString('--heap-growing-percent=50');

// cdk8s leaves object keys unsorted when this is set: synth's bytes would depend on the machine's
// environment (and disagree with renders cached without it). Manifold's output does not.
delete process.env.CDK8S_DISABLE_SORT;

const argv = process.argv.slice(2);
const rootFlag = argv.findIndex((arg) => arg === '--root' || arg.startsWith('--root='));
const rootArg = rootFlag < 0 ? undefined : argv[rootFlag].includes('=') ? argv[rootFlag].slice('--root='.length) : argv[rootFlag + 1];
// Help and version need no repository.
// `flux simulate --path` works on any directory, Manifold repository or not; `init` creates one.
const standalone = argv[0] === 'init' || (argv[0] === 'flux' && argv.some((arg) => arg === '--path' || arg.startsWith('--path=')));
const needsRepository = !standalone && !argv.some((arg) => ['--help', '-h', '--version', '-V', 'help'].includes(arg)) && argv.length > 0;
let root;
try {
  root = findRepositoryRoot(process.cwd(), rootArg);
} catch (error) {
  if (!(error instanceof NotARepositoryError) || needsRepository) {
    if (!(error instanceof NotARepositoryError)) throw error;
    process.stderr.write(`${error.message}\n  hint: run manifold inside a repository with apps/ and overlays/, or pass --root <dir>\n`);
    process.exit(2);
  }
  root = process.cwd();
}

// Source maps locate the errors an app throws in its TypeScript source, so they are on for the apps'
// modules. Parsing the CLI's own maps costs every run tens of milliseconds: only --verbose, which
// prints stacks, loads them.
if (argv.includes('--verbose')) process.setSourceMapsEnabled(true);
let compiled;
try {
  compiled = await bundleFor(root);
} catch (error) {
  if (!(error instanceof CompileError)) throw error;
  const [first] = error.errors;
  const { file, line, col } = locateCompileError(root, first);
  process.stderr.write(
    `${file}:${line}:${col}: cannot compile: ${first.text}\n  hint: fix the TypeScript syntax or the import; pnpm typecheck shows type errors\n`,
  );
  process.exit(2);
}
// V8 keeps the code it compiled for the CLI and the packages it loads (cdk8s among them) beside the
// bundle, so it goes when the bundle is replaced: a run compiles only what changed (nothing changed,
// paired runs: 2,000 services 351 → 337 ms, 10,000 services 827 → 809 ms).
// (Imported here: Node.js 20, which the engines check above refuses, has no enableCompileCache.)
const { enableCompileCache } = await import('node:module');
enableCompileCache(join(dirname(compiled.bundle), 'compiled-code'));
const { runCli } = await import(pathToFileURL(compiled.bundle).href);
const appModules = Object.fromEntries([...compiled.appModules].map(([file, module]) => [file, pathToFileURL(module).href]));
process.exitCode = await runCli(argv, {
  root,
  cliRoot: fileURLToPath(new URL('..', import.meta.url)),
  cacheDir: cacheDirFor(root),
  importApp: async (file) => {
    if (!appModules[file]) return undefined;
    process.setSourceMapsEnabled(true);
    return importCompiledApp(appModules[file], file);
  },
  codeHashes: { shared: compiled.sharedHash, apps: compiled.appHashes },
  compiled: compiled.compiled,
  renderCacheDir: renderCacheDir(cacheDirFor(root), compiled.key),
  stampWorker: pathToFileURL(compiled.stampWorker).href,
  renderWorkers: { script: new URL('../launcher/render-worker.mjs', import.meta.url).href, bundle: pathToFileURL(compiled.worker).href, appModules },
});
