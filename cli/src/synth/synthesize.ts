/** The synth pipeline: load → render → write (or compare), for some or all environments. */
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { overlayFiles } from '../config/load-environment.ts';
import { type StagedFile, stageFile } from '../files/replace-file.ts';
import { assertRealPath } from '../files/repository-paths.ts';
import { compareEnvironment, type DistDifference, isClean, unifiedDiff } from '../output/compare-dist.ts';
import { withDistLock } from '../output/dist-lock.ts';
import { DistTree, generatedEnvironments, recoverInterruptedSwaps, swapPaths } from '../output/dist-tree.ts';
import { describeWriteFailure } from '../output/dist-write-error.ts';
import { planEnvironmentWrite, type StagedWrite, stageWritePlan, type WriteResult, withIndex } from '../output/write-dist.ts';
import { INDEX_FILE } from '../render/ownership-index.ts';
import type { RenderCacheSettings } from '../render/render-cache.ts';
import type { RenderedEnvironment } from '../render/render-environment.ts';
import type { Adoption } from './adopt-flux-updates.ts';
import { type Stamp, type TreeIdentities, writeStamp } from './environment-stamps.ts';
import { type EnvironmentOutcome, type PinOverrides, RenderSession } from './render-session.ts';
import { renderWorkerCount } from './render-workers.ts';
import type { RunContext } from './run-context.ts';
import { compareShard, ENVIRONMENT_UNIT, ownsUnit, type Shard } from './shard.ts';
import { StampChecks } from './stamp-checks.ts';
import { stampKey } from './stamp-key.ts';

export type { PinOverrides } from './render-session.ts';

/** What rendering the repository found besides each environment's files. */
interface RepositoryRun {
  /** Flux updates found in dist/ that the pins take over. */
  readonly adoptions: Adoption[];
  /** Overlay files whose pin markers synth corrects: path relative to the root → new text and old text. */
  readonly overlays: Map<string, { readonly before: string; readonly after: string }>;
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

/** Everything one synth produces, in memory. */
export interface RepositoryRender extends RepositoryRun {
  readonly environments: RenderedEnvironment[];
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

/** How to render a repository: pins set by a command, stamps to trust, the shard of a split check. */
interface RenderOptions {
  readonly pins?: PinOverrides;
  readonly trustStamps?: boolean;
  readonly shard?: Shard;
}

/**
 * Renders the named environments (all when `envs` is empty) entirely in memory. With `trustStamps`,
 * an environment whose stamp shows it current is left out of `environments` and listed in `verified`.
 * With a `shard`, only its units are rendered (and no stamp is trusted).
 */
export async function renderRepository(
  root: string,
  envs: readonly string[],
  context: RunContext,
  pins: PinOverrides = new Map(),
  options: { readonly trustStamps?: boolean; readonly shard?: Shard } = {},
): Promise<RepositoryRender> {
  const environments: RenderedEnvironment[] = [];
  const run = await renderEach(root, envs, context, { ...options, pins }, async ({ rendered }) => {
    environments.push(rendered);
  });
  return { environments, ...run };
}

/**
 * Renders environment after environment and hands each to `consume` as soon as it is rendered (with
 * dist/<env>/ as it was read), so that no more than one environment's files need be held at once;
 * then dist/<env> folders synth generated for an overlay that is gone, rendered empty.
 */
async function renderEach(
  root: string,
  envs: readonly string[],
  context: RunContext,
  options: RenderOptions,
  consume: (outcome: EnvironmentOutcome) => Promise<void>,
): Promise<RepositoryRun> {
  const { shard, pins = new Map() } = options;
  const all = envs.length > 0 ? [...new Set(envs)] : await listEnvironments(root);
  // Only synth and check, which report on dist/, may skip an environment their stamp shows current;
  // every other caller needs the rendered files themselves.
  const stampKeys = new Map(
    await Promise.all(all.map(async (env) => [env, options.trustStamps ? await stampKey(root, env, context.renderCache, pins.get(env)) : undefined] as const)),
  );
  const verified = new Map<string, Stamp>();
  const treeIdentities = new Map<string, TreeIdentities | undefined>();
  const adoptions: Adoption[] = [];
  const overlays: RepositoryRun['overlays'] = new Map();
  const units: string[] = [];
  let workers = 0;
  const checks = StampChecks.start(root, stampKeys, context.renderCache, context.stampWorker);
  try {
    let renderer: RenderSession | undefined;
    const session = async () => {
      renderer ??= await RenderSession.open(root, context, { pins, ...(shard ? { shard } : {}) });
      return renderer;
    };
    // Render workers take every environment that renders at once: those are known first.
    if (renderWorkerCount(context.renderWorkers) > 0) {
      const names = (await Promise.all(all.map(async (env) => ((await checks.renders(env)) ? [env] : [])))).flat();
      if (names.length > 0) workers = await (await session()).prerender(names);
    }
    for (const env of all) {
      // An environment whose inputs moved renders while the worker looks at its files.
      if (!(await checks.renders(env))) {
        const { stamp } = await checks.check(env);
        if (stamp) verified.set(env, stamp);
        continue;
      }
      const outcome = await (await session()).render(
        env,
        checks.check(env).then((check) => check.known),
      );
      treeIdentities.set(env, (await checks.check(env)).tree);
      adoptions.push(...outcome.adoptions);
      if (outcome.overlay) overlays.set(outcome.overlay.file, outcome.overlay);
      units.push(...outcome.units);
      await consume(outcome);
    }
    renderer?.save();
  } finally {
    checks.close();
  }
  if (envs.length === 0) {
    for (const env of await generatedEnvironments(join(root, 'dist'), INDEX_FILE)) {
      if (all.includes(env) || (shard && !ownsUnit(shard, env, ENVIRONMENT_UNIT))) continue;
      if (shard) units.push(`${env}/${ENVIRONMENT_UNIT}`);
      await consume({ rendered: { env, files: new Map() }, adoptions: [], units: [] });
    }
  }
  return { adoptions, overlays, verified, stampKeys, treeIdentities, workers, ...(shard ? { units } : {}) };
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

/**
 * Renders and writes. Each environment's changes are staged beside dist/<env>/ as soon as it is
 * rendered (so its files need not be held), and moved in only once every environment rendered and
 * staged: bad input anywhere writes nothing.
 */
export async function synthesize(
  root: string,
  envs: readonly string[],
  context: RunContext,
  options: { readonly force?: boolean; readonly pins?: PinOverrides } = {},
): Promise<SynthResult> {
  const distDir = join(root, 'dist');
  // Render under the lock, after finishing any interrupted swap, so the trees read while rendering are
  // the ones the write replaces: dist/ is read once.
  return withDistLock(distDir, async () => {
    await recoverInterruptedSwaps(distDir);
    const planned: PlannedEnvironment[] = [];
    const staged: StagedWrite[] = [];
    // Pin files are written beside their place too and moved in only after dist/ is written, so a
    // failure of either leaves both as they were (for one environment, as every pin command writes).
    const stagedPins: StagedFile[] = [];
    try {
      const run = await renderEach(root, envs, context, { pins: options.pins, trustStamps: true }, async ({ rendered, tree }) => {
        assertRealPath(root, `dist/${rendered.env}`);
        // A refusal anywhere must leave every file as it was: staging writes nothing in dist/<env>/ itself.
        const plan = await planEnvironmentWrite(distDir, rendered, { ...options, current: tree });
        staged.push(stageWritePlan(plan));
        planned.push({ env: plan.env, result: plan.result, hashes: plan.hashes, paths: [...plan.changed.keys(), ...plan.removed], apps: rendered.apps });
      });
      try {
        for (const [file, { after }] of run.overlays) stagedPins.push(await stageFile(join(root, file), after));
        for (let write = staged.shift(); write; write = staged.shift()) write.commit();
        for (const file of stagedPins) await file.commit();
      } catch (error) {
        throw error instanceof Error && 'code' in error ? describeWriteFailure(error, root, 'write', 'pins and dist/ are unchanged') : error;
      }
      return await stampWritten(root, context.renderCache, run, planned, options.pins);
    } finally {
      for (const write of staged) write.discard();
      for (const file of stagedPins) await file.discard();
    }
  });
}

/** What synth keeps of an environment once its write is staged: no file's bytes. */
interface PlannedEnvironment {
  readonly env: string;
  readonly result: WriteResult;
  /** The sha256 of every file dist/<env>/ holds once written. */
  readonly hashes: ReadonlyMap<string, string>;
  /** The paths the write replaces or removes. */
  readonly paths: readonly string[];
  readonly apps: RenderedEnvironment['apps'];
}

/** Stamps the environments now current from inputs the run did not change itself (no pin edits); returns what synth did. */
async function stampWritten(
  root: string,
  cache: RenderCacheSettings | undefined,
  run: RepositoryRun,
  planned: readonly PlannedEnvironment[],
  pins: PinOverrides | undefined,
): Promise<SynthResult> {
  const { overlays, adoptions, stampKeys, treeIdentities, verified, workers } = run;
  for (const plan of planned) {
    if (pinsMoved(run, plan.env)) continue;
    if (stampKeys.get(plan.env) !== (await stampKey(root, plan.env, cache, pins?.get(plan.env)))) continue;
    const listed = { foreign: plan.result.foreign, hashes: plan.hashes };
    // A folder that was there changed only where the plan wrote (it is patched); a new one is looked at whole.
    const before = treeIdentities.get(plan.env);
    const written = before && { before, paths: plan.paths };
    await writeStamp(root, plan.env, cache, stampKeys.get(plan.env), listed, written ? { written } : {});
  }
  const results = new Map<string, WriteResult>(planned.map((plan) => [plan.env, plan.result]));
  for (const [env, stamp] of verified) results.set(env, { written: [], unchanged: [...stamp.generated], pruned: [], foreign: [...stamp.foreign] });
  const apps = new Map(planned.map((plan) => [plan.env, plan.apps ?? { rendered: [], reused: [] }]));
  return { overlays: [...overlays.keys()], apps, verified: [...verified.keys()], adoptions, environments: sortedByName(results), workers };
}

/** Whether the run moves pins of `env` (corrected markers or adopted Flux updates): its inputs are then not the ones it started from. */
function pinsMoved(run: RepositoryRun, env: string): boolean {
  const images = overlayFiles(env).images;
  return run.overlays.has(images) || run.adoptions.some(({ pin }) => pin.position.file === images);
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
export async function checkRepository(root: string, envs: readonly string[], context: RunContext, shard?: Shard): Promise<CheckResult> {
  const results = new Map<string, DistDifference>();
  const apps = new Map<string, NonNullable<RenderedEnvironment['apps']>>();
  const distDir = join(root, 'dist');
  /** Clean environments to stamp: the sha256 of each file, index included, and the foreign files. */
  const clean: { readonly env: string; readonly hashes: ReadonlyMap<string, string>; readonly foreign: readonly string[] }[] = [];
  const run = await renderEach(root, envs, context, { trustStamps: !shard, ...(shard ? { shard } : {}) }, async ({ rendered, tree }) => {
    assertRealPath(root, `dist/${rendered.env}`);
    const current = tree ?? DistTree.read(swapPaths(distDir, rendered.env).live);
    const difference = shard ? compareShard(distDir, rendered, current, shard) : compareEnvironment(distDir, rendered, current);
    results.set(rendered.env, difference);
    apps.set(rendered.env, rendered.apps ?? { rendered: [], reused: [] });
    // Stamped once every environment rendered (a later one may adopt a Flux update): only what a stamp needs is kept.
    if (!shard && isClean(difference)) clean.push({ env: rendered.env, hashes: withIndex(rendered).hashes, foreign: difference.foreign });
  });
  const { verified, stampKeys, treeIdentities, overlays, adoptions, units, workers } = run;
  for (const { env, hashes, foreign } of clean) {
    if (pinsMoved(run, env)) continue;
    // Only when dist/<env>/ is still what was compared (a synth may be writing beside this check).
    const expected = treeIdentities.get(env);
    if (expected) await writeStamp(root, env, context.renderCache, stampKeys.get(env), { foreign, hashes }, { expected });
  }
  for (const [env, stamp] of verified) results.set(env, { stale: [], missing: [], orphaned: [], foreign: [...stamp.foreign] });
  return {
    verified: [...verified.keys()],
    overlays: [...overlays].map(([path, { before, after }]) => ({ path, diff: unifiedDiff(path, before, after) })),
    apps,
    adoptions,
    environments: sortedByName(results),
    workers,
    ...(units ? { units } : {}),
  };
}

function sortedByName<T>(map: ReadonlyMap<string, T>): Map<string, T> {
  return new Map([...map].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/** True when nothing is out of date. */
export function isCurrent(result: CheckResult): boolean {
  return result.adoptions.length === 0 && result.overlays.length === 0 && [...result.environments.values()].every(isClean);
}
