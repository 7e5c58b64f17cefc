/**
 * Compiles the CLI (with the constructs) and each of the repository's apps into ES modules with
 * esbuild and caches them, so a run starts in a few milliseconds instead of loading hundreds of
 * TypeScript files through a loader. Types are stripped, never checked (`pnpm typecheck` does that).
 * The shared code is compiled again when any of its files changes (size or mtime); an app, when one
 * of its own files does.
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, realpathSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const CLI_ROOT = resolve(import.meta.dirname, '..');
const CACHE_FORMAT = 10;
/** Pure-JS dependencies of the CLI that are bundled for start-up speed; every other package stays external. */
const BUNDLED_PACKAGES = /^(yaml|zod|commander|diff|ajv|semver|re2js|kubernetes-models|@kubernetes-models\/[^/]+)(\/|$)/;
/** esbuild's version, from its package.json: esbuild itself is loaded only when something is compiled. */
const ESBUILD_VERSION = JSON.parse(readFileSync(fileURLToPath(import.meta.resolve('esbuild/package.json')), 'utf8')).version;
const BANNER = "import { createRequire as __manifoldRequire } from 'node:module'; const require = __manifoldRequire(import.meta.url);";

/** Raised when esbuild cannot compile a file; carries esbuild's located messages. */
export class CompileError extends Error {
  constructor(errors) {
    super(errors.map((error) => error.text).join('\n'));
    this.name = 'CompileError';
    this.errors = errors;
  }
}

/** The app entry files `root` may hold by convention: `apps/<name>/src/index.ts`, sorted (whether each exists is the caller's to check). */
async function appEntryCandidates(root) {
  const names = await readdir(join(root, 'apps')).catch(() => []);
  return names.sort().map((name) => `apps/${name}/src/index.ts`);
}

/** The folder for the bundle and other caches of `root`. */
export function cacheDirFor(root) {
  return existsSync(join(root, 'node_modules')) ? join(root, 'node_modules', '.cache', 'manifold') : join(tmpdir(), 'manifold-cache');
}

/**
 * Up-to-date compiled code for `root`, built when needed: the CLI module (`bundle`, which exports
 * `runCli`), the render workers' module (`worker`, which exports `serveRenders`), the stamp-check
 * worker's module (`stampWorker`), the module of each app entry file (`appModules`, see
 * compiled-app.mjs), a hash of the code every app shares (the CLI, the constructs, the external
 * packages' versions) and, per app entry file, a hash of everything that app's rendering can depend
 * on (the shared code and the app's own modules). Only the apps whose files changed are compiled:
 * editing an app recompiles that app alone, and `compiled` lists the app entry files this call compiled.
 */
export async function bundleFor(root) {
  const candidates = await appEntryCandidates(root);
  const cacheDir = cacheDirFor(root);
  const key = createHash('sha256').update(`${CACHE_FORMAT}\0${ESBUILD_VERSION}\0${process.version}\0${CLI_ROOT}\0${root}`).digest('hex').slice(0, 16);
  const manifestPath = join(cacheDir, `${key}.json`);
  const previous = await readFile(manifestPath, 'utf8').then(JSON.parse, () => undefined);
  const kept = previous?.format === CACHE_FORMAT && isCurrent(previous.shared) ? previous : undefined;
  const shared = kept?.shared ?? (await buildShared(root, cacheDir, key));
  const entries = {};
  const stale = [];
  let apps = 0;
  // The compiled app modules, listed once rather than looked up one by one.
  const modules = new Set(listFolder(join(shared.folder, 'apps')));
  // Paths by prefix, not by path.join: 10,000 apps take 20 ms less.
  const modulePrefix = join(shared.folder, 'apps', '/');
  const compiled = (module) => module.startsWith(modulePrefix) && modules.has(module.slice(modulePrefix.length));
  const rootPrefix = join(root, '/');
  for (const file of candidates) {
    const entry = kept?.apps?.[file];
    // A compiled app whose inputs (its entry file among them) are as they were exists and is current: one stat per input.
    if (entry?.inputs?.[`${rootPrefix}${file}`] && isCurrent(entry, compiled)) entries[file] = entry;
    else if (existsSync(join(root, file))) stale.push(file);
    else continue;
    apps += 1;
  }
  const built = stale.length > 0 ? await buildApps(root, shared, stale) : [];
  for (const { file, entry } of built) entries[file] = entry;
  if (!kept || built.length > 0 || apps !== Object.keys(kept.apps ?? {}).length) {
    // Only what no file changed under while esbuild read it is remembered: the rest compiles again next time.
    const remembered = Object.fromEntries(Object.entries(entries).filter(([file]) => !built.some((app) => app.file === file && !app.settled)));
    if (shared.settled) writeAtomicallySync(manifestPath, JSON.stringify({ format: CACHE_FORMAT, root, bundle: shared.bundle, shared, apps: remembered }));
    await pruneDeparted(cacheDir);
    await removeReplaced(cacheDir, previous, shared, entries);
  }
  return {
    bundle: shared.bundle,
    worker: shared.worker,
    stampWorker: shared.stampWorker,
    key,
    sharedHash: shared.hash,
    appHashes: new Map(Object.entries(entries).map(([file, entry]) => [file, entry.hash])),
    appModules: new Map(Object.entries(entries).map(([file, entry]) => [file, entry.module])),
    compiled: stale,
  };
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

/** Removes the compiled code this call replaced: the shared folder of older code, app modules of older sources. */
async function removeReplaced(cacheDir, previous, shared, entries) {
  const previousFolder = previous?.bundle ? dirname(previous.bundle) : undefined;
  if (previousFolder && previousFolder !== shared.folder && dirname(previousFolder) === cacheDir) {
    await rm(previousFolder, { recursive: true, force: true });
  }
  const inUse = new Set(Object.values(entries).map((entry) => entry.module));
  for (const entry of Object.values(previous?.apps ?? {})) {
    if (inUse.has(entry.module) || dirname(dirname(entry.module)) !== shared.folder) continue;
    await rm(entry.module, { force: true });
  }
}

/** The names in `folder`, none when it is missing. */
function listFolder(folder) {
  try {
    return readdirSync(folder);
  } catch {
    return [];
  }
}

/**
 * True when every input of a compiled piece (`inputs`: size and mtime by path; `links`: package
 * links) is as it was and its output is there (`exists` tells).
 */
function isCurrent(compiled, exists = existsSync) {
  if (!compiled?.inputs || !exists(compiled.bundle ?? compiled.module)) return false;
  // An install that moved a package to another version re-points its node_modules link.
  for (const [link, target] of Object.entries(compiled.links ?? {})) {
    let now;
    try {
      now = realpathSync(link);
    } catch {
      return false;
    }
    if (now !== target) return false;
  }
  return Object.entries(compiled.inputs).every(([path, seen]) => {
    const info = statSync(path, { throwIfNoEntry: false });
    return info?.size === seen.size && info.mtimeMs === seen.mtimeMs;
  });
}

/** esbuild settings both builds share: Node ESM, external source maps without sources (Node parses less at start). */
const COMMON = {
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  write: false,
  metafile: true,
  sourcemap: 'external',
  sourcesContent: false,
  outExtension: { '.js': '.mjs' },
  banner: { js: BANNER },
  logLevel: 'silent',
};

/** The module specifiers of the constructs package (its exports) and the shared build's entry name for each. */
function constructsEntries() {
  const index = fileURLToPath(import.meta.resolve('@manifold/constructs'));
  let folder = dirname(index);
  while (!existsSync(join(folder, 'package.json'))) folder = dirname(folder);
  const { name, exports } = JSON.parse(readFileSync(join(folder, 'package.json'), 'utf8'));
  return Object.entries(typeof exports === 'string' ? { '.': exports } : exports).map(([subpath, target]) => ({
    specifier: subpath === '.' ? name : `${name}/${subpath.slice(2)}`,
    entry: subpath === '.' ? 'constructs' : `constructs-${subpath.slice(2).replaceAll('/', '-')}`,
    file: join(folder, target),
  }));
}

/**
 * Compiles the CLI, the workers' modules and the constructs package into one folder named by
 * their content (code loaded with import() goes into chunks of its own, so a run parses only what it
 * uses); apps import the constructs from here, so the CLI and every app share one copy of them.
 */
async function buildShared(root, cacheDir, key) {
  const started = Date.now();
  const links = new Map();
  const constructs = constructsEntries();
  const result = await (await import('esbuild'))
    .build({
      ...COMMON,
      entryPoints: {
        cli: join(CLI_ROOT, 'src', 'run-cli.ts'),
        worker: join(CLI_ROOT, 'src', 'synth', 'render-workers.ts'),
        'stamp-worker': join(CLI_ROOT, 'src', 'synth', 'stamp-worker.ts'),
        ...Object.fromEntries(constructs.map(({ entry, file }) => [entry, file])),
      },
      absWorkingDir: root,
      splitting: true,
      outdir: join(cacheDir, 'build'),
      chunkNames: 'chunk-[hash]',
      plugins: [externalPackages(links)],
    })
    .catch(rethrowCompileError);
  const outputs = [...result.outputFiles].sort((a, b) => (a.path < b.path ? -1 : 1));
  const digest = createHash('sha256');
  for (const file of outputs) digest.update(file.path.split('/').at(-1)).update(file.contents);
  const folder = join(cacheDir, `${key}-${digest.digest('hex').slice(0, 12)}`);
  const inputPaths = sourceFiles(root, result.metafile.inputs);
  const { inputs, settled } = inputStamps(inputPaths, started);
  if (!existsSync(join(folder, 'cli.mjs'))) {
    // Written whole beside its place, then renamed: a reader sees all of the folder or none of it.
    const staging = `${folder}.${process.pid}.tmp`;
    await rm(staging, { recursive: true, force: true });
    await mkdir(staging, { recursive: true });
    for (const file of outputs) await writeFile(join(staging, file.path.split('/').at(-1)), withMapLink(file));
    await rename(staging, folder).catch(async (error) => {
      await rm(staging, { recursive: true, force: true });
      if (!existsSync(join(folder, 'cli.mjs'))) throw error;
    });
  }
  const hash = createHash('sha256').update(`${CACHE_FORMAT}\0${process.version}`);
  for (const path of inputPaths.sort()) hash.update(`${path}\0${contentHash(path)}\n`);
  for (const [link, target] of [...links].sort()) hash.update(`external:${link}\0${target}\n`);
  return {
    folder,
    bundle: join(folder, 'cli.mjs'),
    worker: join(folder, 'worker.mjs'),
    stampWorker: join(folder, 'stamp-worker.mjs'),
    constructs: Object.fromEntries(constructs.map(({ specifier, entry }) => [specifier, join(folder, `${entry}.mjs`)])),
    inputs,
    links: Object.fromEntries(links),
    hash: hash.digest('hex'),
    settled,
  };
}

/**
 * Compiles the app entry files of `files` into modules inside the shared folder, a few hundred apps to
 * a module (10,000 apps: 40 modules to load, not 10,000), each named by its content (a run that
 * compiled other code never replaces a module another run is importing). A module's default export
 * maps each app's entry file to a function that evaluates that app alone and resolves to its exports
 * (see compiled-app.mjs): an app that throws as it loads fails alone, and a run that renders one app
 * evaluates one. The constructs resolve to the shared build; the app's own modules are compiled in.
 */
async function buildApps(root, shared, files) {
  const started = Date.now();
  const links = new Map();
  const esbuild = await import('esbuild');
  await mkdir(join(shared.folder, 'apps'), { recursive: true });
  const built = [];
  // In builds of a few hundred apps each: one build's cost grows faster than its number of entry
  // points (10,000 apps: 11.0 s in one build, 7.0 s in builds of 250).
  for (let first = 0; first < files.length; first += APPS_PER_BUILD) {
    const batch = files.slice(first, first + APPS_PER_BUILD);
    // import(), not require(): esbuild then waits for an app's top-level await before handing out its exports.
    const loaders = batch.map((file) => `  ${JSON.stringify(file)}: () => import(${JSON.stringify(`./${file}`)}),`);
    const result = await esbuild
      .build({
        ...COMMON,
        stdin: { contents: `export default {\n${loaders.join('\n')}\n};\n`, resolveDir: root, sourcefile: APPS_ENTRY, loader: 'js' },
        // The source map inside the module: one file per few hundred apps.
        sourcemap: 'inline',
        absWorkingDir: root,
        outfile: join(shared.folder, 'apps', 'apps.mjs'),
        plugins: [sharedConstructs(shared.constructs), externalPackages(links)],
      })
      .catch(rethrowCompileError);
    const [code] = result.outputFiles;
    const module = join(shared.folder, 'apps', `apps-${createHash('sha256').update(code.contents).digest('hex').slice(0, 12)}.mjs`);
    // Written whole and renamed into place: a reader sees all of it or none.
    if (!existsSync(module)) writeAtomicallySync(module, code.contents);
    const { inputs: graph } = result.metafile;
    for (const file of batch) {
      const { sources, externals } = reachable(graph, file);
      const inputPaths = sourceFiles(root, Object.fromEntries(sources.map((source) => [source, graph[source]])));
      const appLinks = Object.fromEntries([...links].filter(([, target]) => externals.some((path) => path.startsWith(`${target}/`))));
      const { inputs, settled } = inputStamps(inputPaths, started);
      const hash = createHash('sha256').update(shared.hash);
      for (const path of inputPaths.sort()) hash.update(`${path}\0${contentHash(path)}\n`);
      for (const path of [...externals].sort()) hash.update(`external:${path}\n`);
      built.push({ file, settled, entry: { module, inputs, links: appLinks, hash: hash.digest('hex') } });
    }
  }
  return built;
}

/** The name esbuild gives the generated entry of an apps module. */
const APPS_ENTRY = 'manifold-apps.js';

/**
 * The inputs an app's entry file `file` reaches in a metafile's input `graph` (itself included), and
 * the external imports among them: what the app alone is built from.
 */
function reachable(graph, file) {
  const sources = [];
  const externals = new Set();
  const seen = new Set([file]);
  for (const queue = [file]; queue.length > 0; ) {
    const source = queue.pop();
    sources.push(source);
    for (const imported of graph[source]?.imports ?? []) {
      if (imported.external) externals.add(imported.path);
      else if (!seen.has(imported.path)) {
        seen.add(imported.path);
        queue.push(imported.path);
      }
    }
  }
  return { sources, externals: [...externals] };
}

/** The most apps compiled in one esbuild build. */
const APPS_PER_BUILD = 250;

/** Maps imports of the constructs package (`specifiers`: specifier → shared module) to the shared build. */
function sharedConstructs(specifiers) {
  return {
    name: 'manifold-shared-constructs',
    setup(builder) {
      builder.onResolve({ filter: /^@manifold\/constructs(\/|$)/ }, (args) => {
        const path = specifiers[args.path];
        return path ? { path, external: true } : undefined;
      });
    },
  };
}

/** Size and mtime of each of `paths`, and whether none changed after `started` (else esbuild may have read it mid-change). */
function inputStamps(paths, started) {
  const inputs = {};
  let settled = true;
  for (const path of paths) {
    const info = statSync(path);
    inputs[path] = { size: info.size, mtimeMs: info.mtimeMs };
    if (info.mtimeMs >= started - 1000) settled = false;
  }
  return { inputs, settled };
}

function contentHash(path) {
  return createHash('sha256').update(readFileSync(path)).digest('hex');
}

/** An output file's bytes with the link to its source map (esbuild leaves it out when it does not write the files itself). */
function withMapLink(file) {
  const name = file.path.split('/').at(-1);
  return name.endsWith('.mjs') && !file.text.includes('//# sourceMappingURL=') ? `${file.text}//# sourceMappingURL=${name}.map\n` : file.contents;
}

function rethrowCompileError(error) {
  if (Array.isArray(error.errors)) throw new CompileError(error.errors);
  throw error;
}

/**
 * Keeps packages from node_modules external (by real path, so one copy of each is loaded), except the
 * CLI's pure-JS ones, and records in `links` each `node_modules/<package>` it went through with the
 * folder it led to, so a later install of another version makes the bundle stale. A CommonJS package
 * imported with `import` is loaded with `require`: Node then does not scan it (and every module it
 * re-exports) for the names an ES module import would see, which costs cdk8s-plus a tenth of its load.
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
        // A workspace package, or an installed one that ships TypeScript source (as @manifold/constructs
        // does, and Node.js will not strip types below node_modules), is compiled in. Its
        // `sideEffects: false` (as esbuild read it) lets unused modules, and the packages only they
        // import, stay out of the CLI's own chunk.
        if (!real.includes('/node_modules/') || /\.[cm]?tsx?$/.test(real)) return { path: real, sideEffects: resolved.sideEffects };
        return args.kind === 'import-statement' && isCommonJs(real) ? { path: real, namespace: REQUIRED } : { path: real, external: true };
      });
      builder.onLoad({ filter: /.*/, namespace: REQUIRED }, (args) => ({ contents: `module.exports = require(${JSON.stringify(args.path)});`, loader: 'js' }));
      builder.onResolve({ filter: /.*/, namespace: REQUIRED }, (args) => ({ path: args.path, external: true }));
    },
  };
}

/** The files esbuild compiled (by absolute path) among a metafile's `inputs`, the stand-ins left out. */
function sourceFiles(root, inputs) {
  return Object.keys(inputs)
    .filter((input) => !input.startsWith(`${REQUIRED}:`))
    .map((input) => resolve(root, input));
}

/** The esbuild namespace of the stand-ins that load an external CommonJS package with `require`. */
const REQUIRED = 'manifold-required';

/** Whether Node loads `file` as CommonJS: `.cjs`, or `.js` in a package whose type is not `module`. */
function isCommonJs(file) {
  if (file.endsWith('.cjs')) return true;
  if (!file.endsWith('.js')) return false;
  for (let folder = dirname(file); dirname(folder) !== folder; folder = dirname(folder)) {
    const manifest = join(folder, 'package.json');
    if (existsSync(manifest)) return JSON.parse(readFileSync(manifest, 'utf8')).type !== 'module';
  }
  return true;
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

/** Writes `path` whole beside its place, then renames it in: a reader sees all of it or none. */
function writeAtomicallySync(path, contents) {
  const temporary = `${path}.${process.pid}.tmp`;
  writeFileSync(temporary, contents);
  renameSync(temporary, path);
}

/** A compile error's location relative to `root`, for `file:line:col` messages. */
export function locateCompileError(root, error) {
  const location = error.location;
  const file = location ? relative(root, resolve(root, location.file)) : 'apps';
  return { file: file.startsWith('..') ? location.file : file, line: location?.line ?? 1, col: (location?.column ?? 0) + 1 };
}
