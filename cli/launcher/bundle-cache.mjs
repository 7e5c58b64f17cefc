/**
 * Compiles the CLI and the repository's apps into one ES module with esbuild and caches it, so a
 * run starts in a few milliseconds instead of loading hundreds of TypeScript files through a loader.
 * Types are stripped, never checked (`pnpm typecheck` does that). The cache is rebuilt when any
 * compiled file changes (size or mtime) or an app folder appears or disappears.
 */
import { createHash } from 'node:crypto';
import { existsSync, realpathSync } from 'node:fs';
import { mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { build, version as esbuildVersion } from 'esbuild';

const CLI_ROOT = resolve(import.meta.dirname, '..');
const CACHE_FORMAT = 5;
/** Pure-JS dependencies of the CLI that are bundled for start-up speed; every other package stays external. */
const BUNDLED_PACKAGES = /^(yaml|zod|commander|diff|ajv|kubernetes-models|@kubernetes-models\/[^/]+)(\/|$)/;
const BANNER = "import { createRequire as __manifoldRequire } from 'node:module'; const require = __manifoldRequire(import.meta.url);";

/** Raised when esbuild cannot compile a file; carries esbuild's located messages. */
export class CompileError extends Error {
  constructor(errors) {
    super(errors.map((error) => error.text).join('\n'));
    this.name = 'CompileError';
    this.errors = errors;
  }
}

/** The app entry files of `root` by convention: `apps/<name>/src/index.ts`, sorted. */
export async function discoverAppEntries(root) {
  const names = await readdir(join(root, 'apps')).catch(() => []);
  return names
    .sort()
    .map((name) => `apps/${name}/src/index.ts`)
    .filter((file) => existsSync(join(root, file)));
}

/** The folder for the bundle and other caches of `root`. */
export function cacheDirFor(root) {
  return existsSync(join(root, 'node_modules')) ? join(root, 'node_modules', '.cache', 'manifold') : join(tmpdir(), 'manifold-cache');
}

/**
 * An up-to-date bundle for `root`, built when needed: its path, a hash of the code every app shares
 * (the CLI, the constructs, the external packages' versions) and, per app entry file, a hash of
 * everything that app's rendering can depend on (the shared code and the app's own modules).
 */
export async function bundleFor(root) {
  const apps = await discoverAppEntries(root);
  const cacheDir = cacheDirFor(root);
  const key = createHash('sha256').update(`${CACHE_FORMAT}\0${esbuildVersion}\0${process.version}\0${CLI_ROOT}\0${root}`).digest('hex').slice(0, 16);
  const manifestPath = join(cacheDir, `${key}.json`);
  const manifest = await readFile(manifestPath, 'utf8').then(JSON.parse, () => undefined);
  const current = manifest && (await isCurrent(manifest, apps)) ? manifest : await rebuild(root, apps, cacheDir, key, manifestPath, manifest);
  return { bundle: current.bundle, key, sharedHash: current.sharedHash, appHashes: new Map(Object.entries(current.appHashes)) };
}

/** The folder where runs on `root` keep what they rendered (see the CLI's render cache), by the bundle key. */
export function renderCacheDir(cacheDir, key) {
  return join(cacheDir, 'renders', key);
}

/**
 * Removes the bundles and renders of repositories that no longer exist (temporary copies, deleted
 * checkouts) and of older cache formats, so the cache does not grow with every folder the CLI ever
 * ran in or every version it was run with.
 */
async function pruneDeparted(cacheDir) {
  for (const name of await readdir(cacheDir).catch(() => [])) {
    // Single-file bundles of cache formats 1 and 2.
    if (/^[a-f0-9]{16}-[a-f0-9]{12}\.mjs(\.map)?$/.test(name)) await rm(join(cacheDir, name), { force: true });
    if (!/^[a-f0-9]{16}\.json$/.test(name)) continue;
    const manifest = await readFile(join(cacheDir, name), 'utf8').then(JSON.parse, () => undefined);
    if (manifest?.format === CACHE_FORMAT && existsSync(manifest.root)) continue;
    const key = name.slice(0, 16);
    if (manifest?.bundle && dirname(dirname(manifest.bundle)) === cacheDir) await rm(dirname(manifest.bundle), { recursive: true, force: true });
    await rm(renderCacheDir(cacheDir, key), { recursive: true, force: true });
    await rm(join(cacheDir, name), { force: true });
  }
}

async function isCurrent(manifest, apps) {
  if (JSON.stringify(manifest.apps) !== JSON.stringify(apps) || !existsSync(manifest.bundle)) return false;
  // An install that moved a package to another version re-points its node_modules link.
  for (const [link, target] of Object.entries(manifest.links ?? {})) {
    let now;
    try {
      now = realpathSync(link);
    } catch {
      return false;
    }
    if (now !== target) return false;
  }
  const checks = await Promise.all(
    Object.entries(manifest.inputs).map(([path, seen]) =>
      stat(path).then(
        (info) => info.size === seen.size && info.mtimeMs === seen.mtimeMs,
        () => false,
      ),
    ),
  );
  return checks.every(Boolean);
}

async function rebuild(root, apps, cacheDir, key, manifestPath, previous) {
  // Apps are imported on demand (each a chunk of its own): a run that renders no app never loads
  // them, nor the construct libraries they pull in.
  const entry = [
    `export { runCli } from ${JSON.stringify(join(CLI_ROOT, 'src', 'run-cli.ts'))};`,
    `export { serveRenders } from ${JSON.stringify(join(CLI_ROOT, 'src', 'synth', 'render-workers.ts'))};`,
    `export const appModules = new Map([${apps.map((file) => `[${JSON.stringify(file)}, () => import(${JSON.stringify(join(root, file))})]`).join(', ')}]);`,
  ].join('\n');
  const started = Date.now();
  const links = new Map();
  const result = await build({
    stdin: { contents: entry, resolveDir: root, loader: 'ts', sourcefile: 'manifold-entry.ts' },
    absWorkingDir: root,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    write: false,
    metafile: true,
    sourcemap: 'external',
    // Stack traces need the mappings only; leaving the sources out halves the map Node parses at start.
    sourcesContent: false,
    // Code loaded with import() (schema validators, rarely used commands) goes into chunks of its own,
    // so a run parses only what it uses.
    splitting: true,
    outdir: join(cacheDir, 'build'),
    entryNames: 'entry',
    chunkNames: 'chunk-[hash]',
    outExtension: { '.js': '.mjs' },
    banner: { js: BANNER },
    logLevel: 'silent',
    plugins: [externalPackages(links)],
  }).catch((error) => {
    if (Array.isArray(error.errors)) throw new CompileError(error.errors);
    throw error;
  });
  const outputs = [...result.outputFiles].sort((a, b) => (a.path < b.path ? -1 : 1));
  const digest = createHash('sha256');
  for (const file of outputs) digest.update(file.path.split('/').at(-1)).update(file.contents);
  const hash = digest.digest('hex').slice(0, 12);
  const folder = join(cacheDir, `${key}-${hash}`);
  const bundle = join(folder, 'entry.mjs');
  const inputs = {};
  // A file changed while esbuild read it may be compiled in its old form: then cache nothing.
  let settled = true;
  for (const input of Object.keys(result.metafile.inputs)) {
    if (input.startsWith('<stdin>') || input === 'manifold-entry.ts') continue;
    const path = resolve(root, input);
    const info = await stat(path);
    inputs[path] = { size: info.size, mtimeMs: info.mtimeMs };
    if (info.mtimeMs >= started - 1000) settled = false;
  }
  if (!existsSync(bundle)) {
    // Written whole beside its place, then renamed: a reader sees all of the bundle or none of it.
    const staging = `${folder}.${process.pid}.tmp`;
    await rm(staging, { recursive: true, force: true });
    await mkdir(staging, { recursive: true });
    for (const file of outputs) {
      const name = file.path.split('/').at(-1);
      // esbuild leaves the link to the source map out when it does not write the files itself.
      const linked = name.endsWith('.mjs') && !file.text.includes('//# sourceMappingURL=') ? `${file.text}//# sourceMappingURL=${name}.map\n` : file.contents;
      await writeFile(join(staging, name), linked);
    }
    await rename(staging, folder).catch(async (error) => {
      await rm(staging, { recursive: true, force: true });
      if (!existsSync(bundle)) throw error;
    });
  }
  const { sharedHash, appHashes } = await codeHashes(root, apps, result.metafile.inputs);
  const manifest = { format: CACHE_FORMAT, root, apps, bundle, inputs, links: Object.fromEntries(links), sharedHash, appHashes };
  if (settled) await writeAtomically(manifestPath, JSON.stringify(manifest));
  await pruneDeparted(cacheDir);
  const previousFolder = previous?.bundle ? dirname(previous.bundle) : undefined;
  if (previousFolder && previousFolder !== folder && previousFolder !== cacheDir && dirname(previousFolder) === cacheDir) {
    await rm(previousFolder, { recursive: true, force: true });
  }
  return manifest;
}

/**
 * Content hashes of the code: `sharedHash` covers every module the CLI itself loads (its sources, the
 * constructs, bundled packages) and the external packages by real path (which carries their version);
 * each app's hash adds the modules reachable from its entry file, so editing one app (or a module
 * only some apps import) changes only theirs.
 */
async function codeHashes(root, apps, inputs) {
  const contents = new Map();
  for (const input of Object.keys(inputs)) {
    if (input.startsWith('<stdin>') || input === 'manifold-entry.ts') continue;
    contents.set(
      input,
      createHash('sha256')
        .update(await readFile(resolve(root, input)))
        .digest('hex'),
    );
  }
  const hashOf = (start, base) => {
    const seen = new Set();
    const stack = [start];
    while (stack.length > 0) {
      const path = stack.pop();
      if (seen.has(path)) continue;
      seen.add(path);
      for (const imported of inputs[path]?.imports ?? []) stack.push(imported.external ? `external:${imported.path}` : imported.path);
    }
    const hash = createHash('sha256').update(base);
    for (const path of [...seen].sort()) hash.update(`${path}\0${contents.get(path) ?? ''}\n`);
    return hash.digest('hex');
  };
  const sharedHash = hashOf(relative(root, join(CLI_ROOT, 'src', 'run-cli.ts')), `${CACHE_FORMAT}\0${process.version}`);
  const appHashes = Object.fromEntries(apps.map((file) => [file, hashOf(file, sharedHash)]));
  return { sharedHash, appHashes };
}

/**
 * Keeps packages from node_modules external (by real path, so one copy of each is loaded), except the
 * CLI's pure-JS ones, and records in `links` each `node_modules/<package>` it went through with the
 * folder it led to, so a later install of another version makes the bundle stale.
 */
function externalPackages(links) {
  return {
    name: 'manifold-external-packages',
    setup(builder) {
      builder.onResolve({ filter: /^[^./]/ }, async (args) => {
        if (args.pluginData === 'manifold-inner' || BUNDLED_PACKAGES.test(args.path)) return undefined;
        const resolved = await builder.resolve(args.path, {
          resolveDir: args.resolveDir,
          kind: args.kind,
          importer: args.importer,
          pluginData: 'manifold-inner',
        });
        if (resolved.errors.length > 0 || resolved.external) return resolved.errors.length > 0 ? { errors: resolved.errors } : undefined;
        const real = realpathSync(resolved.path);
        const link = packageLink(args.resolveDir, args.path);
        if (link) links.set(link, realpathSync(link));
        // A workspace package's `sideEffects: false` (as esbuild read it) lets unused modules, and the
        // packages only they import, stay out of the CLI's own chunk.
        return real.includes('/node_modules/') ? { path: real, external: true } : { path: real, sideEffects: resolved.sideEffects };
      });
    },
  };
}

/** The `node_modules/<package>` folder Node finds for `specifier` from `dir` (walking up), or undefined. */
function packageLink(dir, specifier) {
  const parts = specifier.split('/');
  const name = specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
  for (let current = dir; ; current = dirname(current)) {
    const candidate = join(current, 'node_modules', name);
    if (existsSync(candidate)) return candidate;
    if (dirname(current) === current) return undefined;
  }
}

async function writeAtomically(path, contents) {
  const temporary = `${path}.${process.pid}.tmp`;
  await writeFile(temporary, contents);
  await rename(temporary, path);
}

/** A compile error's location relative to `root`, for `file:line:col` messages. */
export function locateCompileError(root, error) {
  const location = error.location;
  const file = location ? relative(root, resolve(root, location.file)) : 'apps';
  return { file: file.startsWith('..') ? location.file : file, line: location?.line ?? 1, col: (location?.column ?? 0) + 1 };
}
