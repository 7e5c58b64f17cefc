/** The synth pipeline: load → render → write (or compare), for some or all environments. */
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { AppImporter } from '../apps/load-apps.ts';
import { overlayFiles } from '../config/load-environment.ts';
import { compareEnvironment, type DistDifference, isClean, unifiedDiff } from '../dist/compare-dist.ts';
import { withDistLock } from '../dist/dist-lock.ts';
import { DistTree, generatedEnvironments, type KnownFiles, recoverInterruptedSwaps, swapPaths } from '../dist/dist-tree.ts';
import { describeWriteFailure } from '../dist/dist-write-error.ts';
import { INDEX_FILE } from '../dist/ownership-index.ts';
import { type StagedFile, stageFile } from '../dist/replace-file.ts';
import { assertRealPath } from '../dist/repository-paths.ts';
import { applyWritePlan, contentHashes, planEnvironmentWrite, type WriteResult, withIndex } from '../dist/write-dist.ts';
import type { RenderedEnvironment } from '../render/render-environment.ts';
import type { Adoption } from './adopt-flux-updates.ts';
import { type EnvironmentOutcome, EnvironmentRenderer, type PinOverrides, type RenderRequest } from './environment-renderer.ts';
import { type Stamp, stampKey, type TreeIdentities, verifiedStamp, writeStamp } from './environment-stamps.ts';
import { compareShard, ENVIRONMENT_UNIT, ownsUnit, type Shard } from './shard.ts';

export type { PinOverrides } from './environment-renderer.ts';

/** Everything one synth produces, in memory. */
export interface RepositoryRender {
  readonly environments: RenderedEnvironment[];
  /** Flux updates found in dist/ that the pins take over. */
  readonly adoptions: Adoption[];
  /** Overlay files whose pin markers synth corrects: path relative to the root → new text and old text. */
  readonly overlays: Map<string, { readonly before: string; readonly after: string }>;
  /** The dist/<env>/ trees read while rendering, so that writing or comparing need not read them again. */
  readonly trees: ReadonlyMap<string, DistTree>;
  /** Environments whose inputs and dist/<env>/ are exactly as a run that found them current left them: not rendered. */
  readonly verified: ReadonlyMap<string, Stamp>;
  /** The input hash of each environment as this run started, for stamping it once it is current. */
  readonly stampKeys: ReadonlyMap<string, string | undefined>;
  /** The identities of dist/<env>/'s files before it was read (when renders are cached). */
  readonly treeIdentities: ReadonlyMap<string, TreeIdentities | undefined>;
  /** With a shard: the units it rendered, as `<env>/<unit>`. */
  readonly units?: readonly string[];
  /** How many worker threads rendered (0: the main thread did). */
  readonly workers: number;
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
  const treeIdentities = new Map<string, TreeIdentities | undefined>();
  const knownFiles = new Map<string, KnownFiles>();
  const stamps = await Promise.all(all.map((env) => verifiedStamp(root, env, stampKeys.get(env))));
  for (const [index, { stamp, tree, known }] of stamps.entries()) {
    const env = all[index] ?? '';
    if (stamp) verified.set(env, stamp);
    if (known) knownFiles.set(env, known);
    treeIdentities.set(env, tree);
  }
  const names = all.filter((env) => !verified.has(env));
  const request = { pins, knownFiles, ...(shard ? { shard } : {}) };
  const { outcomes, units, workers } = names.length > 0 ? await renderEnvironments(root, names, importApp, request) : { outcomes: [], units: [], workers: 0 };
  const environments = outcomes.map((outcome) => outcome.rendered);
  const adoptions = outcomes.flatMap((outcome) => outcome.adoptions);
  const overlays: RepositoryRender['overlays'] = new Map(outcomes.flatMap(({ overlay }) => (overlay ? [[overlay.file, overlay]] : [])));
  const trees = new Map(outcomes.flatMap(({ rendered, tree }) => (tree ? [[rendered.env, tree]] : [])));
  if (envs.length === 0) {
    // dist/<env> folders synth generated for an overlay that is gone: render them empty so they are pruned.
    for (const env of await generatedEnvironments(join(root, 'dist'), INDEX_FILE)) {
      if (all.includes(env) || (shard && !ownsUnit(shard, env, ENVIRONMENT_UNIT))) continue;
      environments.push({ env, files: new Map() });
      if (shard) units.push(`${env}/${ENVIRONMENT_UNIT}`);
    }
  }
  return { environments, adoptions, overlays, trees, verified, stampKeys, treeIdentities, workers, ...(shard ? { units } : {}) };
}

/** Renders `names` in order; apps not remembered render on worker threads when there are many. */
async function renderEnvironments(
  root: string,
  names: readonly string[],
  importApp: AppImporter,
  request: RenderRequest,
): Promise<{ outcomes: EnvironmentOutcome[]; units: string[]; workers: number }> {
  const renderer = await EnvironmentRenderer.open(root, importApp, request);
  const workers = await renderer.prerender(names);
  const outcomes: EnvironmentOutcome[] = [];
  for (const name of names) outcomes.push(await renderer.render(name));
  renderer.save();
  return { outcomes, units: outcomes.flatMap((outcome) => [...outcome.units]), workers };
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
  /** How many worker threads rendered (0: the main thread did). */
  readonly workers: number;
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
    const { environments, adoptions, overlays, trees, verified, stampKeys, treeIdentities, workers } = await renderRepository(
      root,
      envs,
      importApp,
      options.pins,
      { trustStamps: true },
    );
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
      const listed = { generated: [...plan.result.written, ...plan.result.unchanged], foreign: plan.result.foreign, hashes: plan.hashes };
      // A folder that was there changed only where the plan wrote (it is patched); a new one is looked at whole.
      const before = treeIdentities.get(plan.env);
      const written = before && { before, paths: [...plan.changed.keys(), ...plan.removed] };
      await writeStamp(root, plan.env, stampKeys.get(plan.env), listed, written ? { written } : {});
    }
    for (const [env, stamp] of verified) results.set(env, { written: [], unchanged: [...stamp.generated], pruned: [], foreign: [...stamp.foreign] });
    const apps = appsOf(environments);
    return { overlays: [...overlays.keys()], apps, verified: [...verified.keys()], adoptions, environments: sortedByName(results), workers };
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
  /** How many worker threads rendered (0: the main thread did). */
  readonly workers: number;
  /** With a shard: the units it checked, as `<env>/<unit>`. */
  readonly units?: readonly string[];
}

/** Renders and compares with the files on disk without writing anything; with a `shard`, only its units. */
export async function checkRepository(root: string, envs: readonly string[], importApp: AppImporter, shard?: Shard): Promise<CheckResult> {
  const { environments, adoptions, overlays, trees, verified, stampKeys, treeIdentities, units, workers } = await renderRepository(
    root,
    envs,
    importApp,
    new Map(),
    {
      trustStamps: !shard,
      shard,
    },
  );
  const results = new Map<string, DistDifference>();
  for (const environment of environments) assertRealPath(root, `dist/${environment.env}`);
  for (const environment of environments) {
    const distDir = join(root, 'dist');
    const tree = trees.get(environment.env) ?? DistTree.read(swapPaths(distDir, environment.env).live);
    const difference = shard ? compareShard(distDir, environment, tree, shard) : compareEnvironment(distDir, environment, tree);
    results.set(environment.env, difference);
    if (shard) continue;
    const pinsMoved =
      overlays.has(overlayFiles(environment.env).images) || adoptions.some(({ pin }) => pin.position.file === overlayFiles(environment.env).images);
    if (isClean(difference) && !pinsMoved) {
      const files = withIndex(environment);
      const generated = [...files.keys()].map((path) => `dist/${environment.env}/${path}`);
      const hashes = contentHashes(environment, files);
      // Only when dist/<env>/ is still what was compared (a synth may be writing beside this check).
      const expected = treeIdentities.get(environment.env);
      if (expected) await writeStamp(root, environment.env, stampKeys.get(environment.env), { generated, foreign: difference.foreign, hashes }, { expected });
    }
  }
  for (const [env, stamp] of verified) results.set(env, { stale: [], missing: [], orphaned: [], foreign: [...stamp.foreign] });
  return {
    verified: [...verified.keys()],
    overlays: [...overlays].map(([path, { before, after }]) => ({ path, diff: unifiedDiff(path, before, after) })),
    apps: appsOf(environments),
    adoptions,
    environments: sortedByName(results),
    workers,
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
