/** The synth pipeline: load → render → write (or compare), for some or all environments. */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type AppEntry, type AppImporter, discoverApps, type LoadedApp, loadApp } from '../apps/load-apps.ts';
import { type Environment, loadEnvironment, overlayFiles } from '../config/load-environment.ts';
import { syncPinMarkers } from '../config/pin-markers.ts';
import { compareEnvironment, type DistDifference, isClean, unifiedDiff } from '../dist/compare-dist.ts';
import { withDistLock } from '../dist/dist-lock.ts';
import { generatedEnvironments, readTree, recoverInterruptedSwaps, swapPaths } from '../dist/dist-tree.ts';
import { describeWriteFailure } from '../dist/dist-write-error.ts';
import { INDEX_FILE, parseIndex } from '../dist/ownership-index.ts';
import { type StagedFile, stageFile } from '../dist/replace-file.ts';
import { assertRealPath } from '../dist/repository-paths.ts';
import { applyWritePlan, planEnvironmentWrite, type WriteResult, withIndex } from '../dist/write-dist.ts';
import { lintMarkers } from '../flux/marker-lint.ts';
import { editPins } from '../pins/pin-edits.ts';
import { RenderCache } from '../render/render-cache.ts';
import type { ObjectChecks, RenderedEnvironment } from '../render/render-environment.ts';
import { loadCrdSchemas } from '../validate/crd-schemas.ts';
import { ObjectSchemas } from '../validate/object-schemas.ts';
import { ValidationCache } from '../validate/validation-cache.ts';
import { type Adoption, findFluxUpdates } from './adopt-flux-updates.ts';
import { type FileIdentities, type Stamp, stampKey, verifiedStamp, writeStamp } from './environment-stamps.ts';
import { compareShard, ENVIRONMENT_UNIT, othersUseEsc, ownsUnit, type Shard } from './shard.ts';

/** Everything one synth produces, in memory. */
export interface RepositoryRender {
  readonly environments: RenderedEnvironment[];
  /** Flux updates found in dist/ that the pins take over. */
  readonly adoptions: Adoption[];
  /** Overlay files whose pin markers synth corrects: path relative to the root → new text and old text. */
  readonly overlays: Map<string, { readonly before: string; readonly after: string }>;
  /** The dist/<env>/ trees read while rendering, so that writing or comparing need not read them again. */
  readonly trees: ReadonlyMap<string, ReadonlyMap<string, Buffer>>;
  /** Environments whose inputs and dist/<env>/ are exactly as a run that found them current left them: not rendered. */
  readonly verified: ReadonlyMap<string, Stamp>;
  /** The input hash of each environment as this run started, for stamping it once it is current. */
  readonly stampKeys: ReadonlyMap<string, string | undefined>;
  /** The identities of dist/<env>/'s files before it was read (when renders are cached). */
  readonly treeIdentities: ReadonlyMap<string, FileIdentities | undefined>;
  /** With a shard: the units it rendered, as `<env>/<unit>`. */
  readonly units?: readonly string[];
}

/** Names of the environments under overlays/, sorted. */
export async function listEnvironments(root: string): Promise<string[]> {
  const entries = await readdir(join(root, 'overlays'), { withFileTypes: true }).catch(() => []);
  return (
    entries
      // A link is listed too, so that loading it is refused rather than its dist/ folder pruned.
      .filter((entry) => (entry.isDirectory() || entry.isSymbolicLink()) && !entry.name.startsWith('.'))
      .map((entry) => entry.name)
      .sort()
  );
}

/** images.yaml texts to use instead of the files, by environment (commands that edit pins pass them). */
export type PinOverrides = ReadonlyMap<string, string>;

/**
 * Renders the named environments (all when `envs` is empty) entirely in memory. With `trustStamps`,
 * an environment whose stamp shows it current is left out of `environments` and listed in `verified`.
 * With a `shard`, only its units are rendered (and no stamp is trusted).
 */
export async function renderRepository(
  root: string,
  envs: readonly string[],
  importApp: AppImporter,
  pins: PinOverrides = new Map(),
  options: { readonly trustStamps?: boolean; readonly shard?: Shard } = {},
): Promise<RepositoryRender> {
  const { shard } = options;
  const all = envs.length > 0 ? [...new Set(envs)] : await listEnvironments(root);
  // Only synth and check, which report on dist/, may skip an environment their stamp shows current;
  // every other caller needs the rendered files themselves.
  const stampKeys = new Map(
    await Promise.all(all.map(async (env) => [env, options.trustStamps ? await stampKey(root, env, pins.get(env)) : undefined] as const)),
  );
  const verified = new Map<string, Stamp>();
  const treeIdentities = new Map<string, FileIdentities | undefined>();
  const stamps = await Promise.all(all.map((env) => verifiedStamp(root, env, stampKeys.get(env))));
  for (const [index, { stamp, files }] of stamps.entries()) {
    const env = all[index] ?? '';
    if (stamp) verified.set(env, stamp);
    treeIdentities.set(env, files);
  }
  const names = all.filter((env) => !verified.has(env));
  const [entries, schemas] =
    names.length === 0
      ? [[], ObjectSchemas.deferred([])]
      : await Promise.all([discoverApps(root), loadCrdSchemas(root).then((crds) => ObjectSchemas.deferred(crds))]);
  const checks = { schemas, cache: ValidationCache.openConfigured(), renders: RenderCache.openConfigured() };
  const appsFor = appLoader(root, importApp, entries, checks, shard);
  // The renderer (and cdk8s with it) loads only when some environment needs rendering.
  const { checkRenderedObjects, renderEnvironment } = names.length > 0 ? await import('../render/render-environment.ts') : NOTHING_TO_RENDER;
  const loaded = await Promise.all(names.map((env) => loadEnvironment(root, env, pins.get(env))));
  const overlays: RepositoryRender['overlays'] = new Map();
  const environments: RenderedEnvironment[] = [];
  const adoptions: Adoption[] = [];
  const trees = new Map<string, ReadonlyMap<string, Buffer>>();
  const units: string[] = [];
  for (const loadedEnv of loaded) {
    let env = loadedEnv;
    // Pins set by a command are taken as they are; otherwise Flux updates waiting in dist/ are adopted.
    const tree = pins.has(env.name) ? undefined : readTree(swapPaths(join(root, 'dist'), env.name).live);
    if (tree) trees.set(env.name, tree);
    const scope = shard && {
      renders: (app: string) => ownsUnit(shard, env.name, app),
      othersUseEsc: othersUseEsc(shard, env.name, tree ?? new Map()),
    };
    if (shard) {
      const deployed = env.apps ?? entries.map((entry) => entry.name);
      units.push(...[ENVIRONMENT_UNIT, ...deployed].filter((unit) => ownsUnit(shard, env.name, unit)).map((unit) => `${env.name}/${unit}`));
    }
    let rendered = renderEnvironment(env, await appsFor(env), checks, scope);
    const found = tree ? findFluxUpdates(env, rendered, ownedFiles(tree)) : [];
    if (found.length > 0) {
      const adopted = editPins(
        env,
        found.map((adoption) => ({ app: adoption.pin.app, image: adoption.pin.image, ref: adoption.to, source: { by: 'flux' } })),
      );
      env = await loadEnvironment(root, env.name, adopted);
      rendered = renderEnvironment(env, await appsFor(env), checks, scope);
      adoptions.push(...found);
    }
    const before = pins.has(env.name) ? await readFile(join(root, env.sources.images.file), 'utf8') : loadedEnv.sources.images.text;
    const after = syncPinMarkers(env);
    if (after !== before && (!shard || ownsUnit(shard, env.name, ENVIRONMENT_UNIT))) overlays.set(env.sources.images.file, { before, after });
    lintMarkers(env, rendered.files, after);
    environments.push(rendered);
  }
  if (envs.length === 0) {
    // dist/<env> folders synth generated for an overlay that is gone: render them empty so they are pruned.
    for (const env of await generatedEnvironments(join(root, 'dist'), INDEX_FILE)) {
      if (all.includes(env) || (shard && !ownsUnit(shard, env, ENVIRONMENT_UNIT))) continue;
      environments.push({ env, files: new Map() });
      if (shard) units.push(`${env}/${ENVIRONMENT_UNIT}`);
    }
  }
  await checkRenderedObjects(environments, checks);
  checks.cache.save();
  checks.renders.save();
  return { environments, adoptions, overlays, trees, verified, stampKeys, treeIdentities, ...(shard ? { units } : {}) };
}

/**
 * The apps to render `env` with: apps whose render in `env` is remembered are stand-ins carrying the
 * images they declared (their module is never imported); the others are loaded, each once per run.
 */
function appLoader(
  root: string,
  importApp: AppImporter,
  entries: readonly AppEntry[],
  checks: ObjectChecks,
  shard: Shard | undefined,
): (env: Environment) => Promise<LoadedApp[]> {
  const loaded = new Map<string, Promise<LoadedApp>>();
  const load = (entry: AppEntry): Promise<LoadedApp> => {
    const app = loaded.get(entry.name) ?? loadApp(root, importApp, entry);
    loaded.set(entry.name, app);
    return app;
  };
  return (env) =>
    Promise.all(
      entries.map(async (entry) => {
        if (shard && !ownsUnit(shard, env.name, entry.name)) return standIn(entry, []);
        const deployed = env.apps === undefined || env.apps.includes(entry.name);
        const key = deployed ? checks.renders.keyOf(env, entry, checks.schemas.digest) : undefined;
        const remembered = key === undefined || loaded.has(entry.name) ? undefined : checks.renders.peek(env.name, entry.name, key);
        if (!remembered) return deployed ? load(entry) : standIn(entry, []);
        return standIn(entry, remembered.images);
      }),
    );
}

/** An app known by its folder and declared images only: enough to place its remembered render and check its pins. */
function standIn({ name, file }: AppEntry, images: readonly string[]): LoadedApp {
  const build = () => {
    throw new Error(`app "${name}" was not loaded; its render was expected from the cache`);
  };
  return { file, source: '', definition: { name, images: [...images], build } };
}

/** Stand-ins for the renderer when every environment was verified: only empty (retired) environments are left, with nothing to check. */
const NOTHING_TO_RENDER = {
  renderEnvironment: (): RenderedEnvironment => {
    throw new Error('no environment to render');
  },
  checkRenderedObjects: async (): Promise<void> => {},
};

/** The files of a dist/<env>/ tree that synth owns, by path relative to it. */
function ownedFiles(tree: ReadonlyMap<string, Buffer>): Map<string, string> {
  const owned = parseIndex(tree.get(INDEX_FILE)?.toString('utf8') ?? '');
  return new Map([...tree].filter(([path]) => owned.has(path)).map(([path, bytes]) => [path, bytes.toString('utf8')]));
}

/** What synth wrote: corrected overlay files and each environment's dist changes. */
export interface SynthResult {
  readonly overlays: string[];
  /** Environments found current from their stamp, without rendering. */
  readonly verified: string[];
  /** Per environment, the apps built and those whose earlier render was reused. */
  readonly apps: Map<string, NonNullable<RenderedEnvironment['apps']>>;
  readonly adoptions: Adoption[];
  readonly environments: Map<string, WriteResult>;
}

/** Renders and writes; every environment renders before anything is written, so bad input writes nothing. */
export async function synthesize(
  root: string,
  envs: readonly string[],
  importApp: AppImporter,
  options: { readonly force?: boolean; readonly pins?: PinOverrides } = {},
): Promise<SynthResult> {
  const distDir = join(root, 'dist');
  // Render under the lock, after finishing any interrupted swap, so the trees read while rendering are
  // the ones the write replaces: dist/ is read once.
  return withDistLock(distDir, async () => {
    await recoverInterruptedSwaps(distDir);
    const { environments, adoptions, overlays, trees, verified, stampKeys } = await renderRepository(root, envs, importApp, options.pins, {
      trustStamps: true,
    });
    for (const environment of environments) assertRealPath(root, `dist/${environment.env}`);
    // Plan every environment first: a refusal anywhere must leave every file as it was.
    const plans = [];
    for (const environment of environments) plans.push(await planEnvironmentWrite(distDir, environment, { ...options, current: trees.get(environment.env) }));
    // Pin files are written beside their place first and moved in only after dist/ is written, so a
    // failure of either leaves both as they were (for one environment, as every pin command writes).
    const staged: StagedFile[] = [];
    try {
      for (const [file, { after }] of overlays) staged.push(await stageFile(join(root, file), after));
      for (const plan of plans) await applyWritePlan(plan);
      for (const file of staged) await file.commit();
    } catch (error) {
      throw error instanceof Error && 'code' in error ? describeWriteFailure(error, root, 'write', 'pins and dist/ are unchanged') : error;
    } finally {
      for (const file of staged) await file.discard();
    }
    // Environments now current from inputs the run did not change itself (no pin edits) are stamped.
    const results = new Map<string, WriteResult>(plans.map((plan) => [plan.env, plan.result]));
    for (const plan of plans) {
      if (overlays.has(overlayFiles(plan.env).images) || adoptions.some(({ pin }) => pin.position.file === overlayFiles(plan.env).images)) continue;
      if (stampKeys.get(plan.env) !== (await stampKey(root, plan.env, options.pins?.get(plan.env)))) continue;
      await writeStamp(root, plan.env, stampKeys.get(plan.env), {
        generated: [...plan.result.written, ...plan.result.unchanged],
        foreign: plan.result.foreign,
      });
    }
    for (const [env, stamp] of verified) results.set(env, { written: [], unchanged: [...stamp.generated], pruned: [], foreign: [...stamp.foreign] });
    return { overlays: [...overlays.keys()], apps: appsOf(environments), verified: [...verified.keys()], adoptions, environments: sortedByName(results) };
  });
}

/** What `synth --check` found: overlay files with outdated markers, and each environment's differences. */
export interface CheckResult {
  readonly overlays: { readonly path: string; readonly diff: string }[];
  /** Environments found current from their stamp, without rendering. */
  readonly verified: string[];
  /** Per environment, the apps built and those whose earlier render was reused. */
  readonly apps: Map<string, NonNullable<RenderedEnvironment['apps']>>;
  /** Flux updates in dist/ that the pins have not taken over yet. */
  readonly adoptions: Adoption[];
  readonly environments: Map<string, DistDifference>;
  /** With a shard: the units it checked, as `<env>/<unit>`. */
  readonly units?: readonly string[];
}

/** Renders and compares with the files on disk without writing anything; with a `shard`, only its units. */
export async function checkRepository(root: string, envs: readonly string[], importApp: AppImporter, shard?: Shard): Promise<CheckResult> {
  const { environments, adoptions, overlays, trees, verified, stampKeys, treeIdentities, units } = await renderRepository(root, envs, importApp, new Map(), {
    trustStamps: !shard,
    shard,
  });
  const results = new Map<string, DistDifference>();
  for (const environment of environments) assertRealPath(root, `dist/${environment.env}`);
  for (const environment of environments) {
    const distDir = join(root, 'dist');
    const tree = trees.get(environment.env) ?? readTree(swapPaths(distDir, environment.env).live);
    const difference = shard ? compareShard(distDir, environment, tree, shard) : compareEnvironment(distDir, environment, tree);
    results.set(environment.env, difference);
    if (shard) continue;
    const pinsMoved =
      overlays.has(overlayFiles(environment.env).images) || adoptions.some(({ pin }) => pin.position.file === overlayFiles(environment.env).images);
    if (isClean(difference) && !pinsMoved) {
      const generated = [...withIndex(environment).keys()].map((path) => `dist/${environment.env}/${path}`);
      // Only when dist/<env>/ is still what was compared (a synth may be writing beside this check).
      const expected = treeIdentities.get(environment.env);
      if (expected) await writeStamp(root, environment.env, stampKeys.get(environment.env), { generated, foreign: difference.foreign }, expected);
    }
  }
  for (const [env, stamp] of verified) results.set(env, { stale: [], missing: [], orphaned: [], foreign: [...stamp.foreign] });
  return {
    verified: [...verified.keys()],
    overlays: [...overlays].map(([path, { before, after }]) => ({ path, diff: unifiedDiff(path, before, after) })),
    apps: appsOf(environments),
    adoptions,
    environments: sortedByName(results),
    ...(units ? { units } : {}),
  };
}

function sortedByName<T>(map: ReadonlyMap<string, T>): Map<string, T> {
  return new Map([...map].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

function appsOf(environments: readonly RenderedEnvironment[]): Map<string, NonNullable<RenderedEnvironment['apps']>> {
  return new Map(environments.map((environment) => [environment.env, environment.apps ?? { rendered: [], reused: [] }]));
}

/** True when nothing is out of date. */
export function isCurrent(result: CheckResult): boolean {
  return result.adoptions.length === 0 && result.overlays.length === 0 && [...result.environments.values()].every(isClean);
}
