/**
 * Renders one environment at a time for synth: loads its overlay, imports the apps whose render is
 * not remembered (or takes their render from the worker threads that made it, see render-workers.ts),
 * adopts Flux updates waiting in dist/, corrects the pin markers and validates every object.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type AppEntry, discoverApps, type LoadedApp, loadApp } from '../apps/load-apps.ts';
import { type Environment, loadEnvironment } from '../config/load-environment.ts';
import { editPins } from '../config/pin-edits.ts';
import { syncPinMarkers } from '../config/pin-markers.ts';
import { YamlEntries } from '../config/yaml-entries.ts';
import { lintMarkers } from '../flux/marker-lint.ts';
import { DistTree, type KnownFiles, swapPaths } from '../output/dist-tree.ts';
import { type AppRender, RenderCache, RenderCacheMiss } from '../render/render-cache.ts';
import type { ObjectChecks, RenderedEnvironment } from '../render/render-environment.ts';
import { loadCrdSchemas } from '../validate/crd-schemas.ts';
import { ObjectSchemas } from '../validate/object-schemas.ts';
import { ValidationCache } from '../validate/validation-cache.ts';
import { type Adoption, findFluxUpdates } from './adopt-flux-updates.ts';
import { type AppJob, portableEnvironment, portablePins, renderAppsInWorkers, renderWorkerCount } from './render-workers.ts';
import type { RunContext } from './run-context.ts';
import { ENVIRONMENT_UNIT, ownsUnit, type Shard } from './shard.ts';

/** images.yaml texts to use instead of the files, by environment (commands that edit pins pass them). */
export type PinOverrides = ReadonlyMap<string, string>;

/** What to render: pins set by a command, and the shard of a split check. */
export interface RenderRequest {
  readonly pins: PinOverrides;
  readonly shard?: Shard;
}

/** Everything rendering one environment produced. */
export interface EnvironmentOutcome {
  /** Its files, every object validated. */
  readonly rendered: RenderedEnvironment;
  /** Flux updates found in dist/<env>/ that the pins take over. */
  readonly adoptions: Adoption[];
  /** images.yaml with corrected pin markers, when they were not current. */
  readonly overlay?: { readonly file: string; readonly before: string; readonly after: string };
  /** dist/<env>/ as it was read (files a stamp vouches for known by hash; absent for a retired environment). */
  readonly tree?: DistTree;
  /** With a shard: its units in this environment, as `<env>/<unit>`. */
  readonly units: readonly string[];
}

/** Renders environments of `root` one at a time, sharing the loaded apps and the caches between them. */
export class RenderSession {
  private readonly loaded = new Map<string, Promise<LoadedApp>>();
  /** images.yaml parses by entry, kept between runs. */
  private readonly pinEntries: YamlEntries;
  /** Environments {@link prerender} loaded, until they render. */
  private readonly environments = new Map<string, Promise<Environment>>();
  /** What workers rendered, by environment and app, until the environment renders. */
  private readonly prebuilt = new Map<string, Map<string, AppRender>>();

  private constructor(
    private readonly root: string,
    private readonly context: RunContext,
    private readonly request: RenderRequest,
    private readonly entries: readonly AppEntry[],
    /** The schemas, verdicts and renders of this renderer; save them with {@link save}. */
    readonly checks: ObjectChecks,
  ) {
    this.pinEntries = YamlEntries.open(context.renderCache);
  }

  /** A renderer for `root` with the caches of `context`. */
  static async open(root: string, context: RunContext, request: RenderRequest): Promise<RenderSession> {
    const [entries, crds] = await Promise.all([discoverApps(root, context.renderCache?.appHashes.keys()), loadCrdSchemas(root)]);
    const checks = {
      schemas: ObjectSchemas.deferred(crds),
      cache: ValidationCache.open(context.validationCache),
      renders: RenderCache.open(context.renderCache),
    };
    return new RenderSession(root, context, request, entries, checks);
  }

  /**
   * Renders and validates `name` and keeps its renders for the next run; throws the first problem.
   * `known`: the files of dist/<name>/ as its stamp check finds them (listed once, vouched ones not
   * read), awaited only once the apps are placed.
   */
  async render(name: string, known: Promise<KnownFiles | undefined> = Promise.resolve(undefined)): Promise<EnvironmentOutcome> {
    const { root, request } = this;
    const { shard } = request;
    const pins = request.pins.get(name);
    // The renderer (and cdk8s with it) loads only when some environment is rendered.
    const { renderEnvironment } = await import('../render/render-environment.ts');
    const loadedEnv = await (this.environments.get(name) ?? loadEnvironment(root, name, pins, this.pinEntries));
    this.environments.delete(name);
    const prebuilt = this.prebuilt.get(name) ?? new Map<string, AppRender>();
    this.prebuilt.delete(name);
    let read: DistTree | undefined;
    const readTree = async () => {
      read ??= DistTree.read(swapPaths(join(root, 'dist'), name).live, await known);
      return read;
    };
    const scope = shard && { renders: (app: string) => ownsUnit(shard, name, app) };
    const deployed = loadedEnv.apps ?? this.entries.map((entry) => entry.name);
    const units = shard ? [ENVIRONMENT_UNIT, ...deployed].filter((unit) => ownsUnit(shard, name, unit)).map((unit) => `${name}/${unit}`) : [];
    const assemble = async () => {
      let env = loadedEnv;
      let rendered = await renderEnvironment(env, await this.appsFor(env, prebuilt), this.checks, scope, prebuilt);
      // Pins set by a command are taken as they are; otherwise Flux updates waiting in dist/ are adopted.
      const current = await readTree();
      const adoptions = pins === undefined ? findFluxUpdates(env, rendered, current) : [];
      if (adoptions.length > 0) {
        const adopted = editPins(
          env,
          adoptions.map((adoption) => ({ app: adoption.pin.app, image: adoption.pin.image, ref: adoption.to, source: { by: 'flux' } })),
        );
        env = await loadEnvironment(root, name, adopted, this.pinEntries);
        // Apps whose pins moved render again (in this thread); the others are placed as they were.
        for (const adoption of adoptions) prebuilt.delete(adoption.pin.app);
        rendered = await renderEnvironment(env, await this.appsFor(env, prebuilt), this.checks, scope, prebuilt);
      }
      // The bytes of every file the tree does not vouch for are compared later: read them now, from the
      // renders they came from (see rendered-files.ts), so that a render no longer cached shows here.
      for (const path of rendered.files.keys()) if (!current.vouches(path, rendered.hashes?.get(path))) rendered.files.get(path);
      return { env, rendered, adoptions, tree: current };
    };
    const { env, rendered, adoptions, tree } = await assemble().catch((error: unknown) => {
      if (!(error instanceof RenderCacheMiss)) throw error;
      this.checks.renders.distrust(name);
      return assemble();
    });
    const file = env.sources.images.file;
    const before = pins === undefined ? loadedEnv.sources.images.text : await readFile(join(root, file), 'utf8');
    const after = syncPinMarkers(env);
    lintMarkers(env, rendered.marks ?? new Map(), after, this.pinEntries.fluxMarkers(file, after));
    // Kept for the next run now, so that this environment's renders and pin parses are not held while the next renders.
    this.checks.renders.save(name);
    this.pinEntries.save(file);
    const markersOwned = !shard || ownsUnit(shard, name, ENVIRONMENT_UNIT);
    return {
      rendered,
      adoptions,
      ...(after !== before && markersOwned ? { overlay: { file, before, after } } : {}),
      tree,
      units,
    };
  }

  /**
   * Renders on worker threads, ahead of {@link render}, every app of `names` whose render is not
   * remembered (synth asks only when workers are asked for); returns how many rendered.
   */
  async prerender(names: readonly string[]): Promise<number> {
    const { checks, request } = this;
    const environments = await Promise.all(
      names.map((name) => {
        const loading = loadEnvironment(this.root, name, request.pins.get(name), this.pinEntries);
        this.environments.set(name, loading);
        return loading;
      }),
    );
    const jobs = new Map<string, AppJob['environments'][number][]>();
    for (const env of environments) {
      const deployed = new Set(env.apps ?? this.entries.map((entry) => entry.name));
      for (const entry of this.entries) {
        if (!deployed.has(entry.name) || (request.shard && !ownsUnit(request.shard, env.name, entry.name))) continue;
        const key = checks.renders.keyOf(env, entry, checks.schemas.digest);
        if (key !== undefined && checks.renders.peek(env.name, entry.name, key)) continue;
        jobs.set(entry.name, [...(jobs.get(entry.name) ?? []), { env: env.name, pins: portablePins(env, entry.name) }]);
      }
    }
    if (jobs.size === 0) return 0;
    const workers = renderWorkerCount(this.context.renderWorkers);
    const settings = Object.fromEntries(environments.map((env) => [env.name, portableEnvironment(env)]));
    const appJobs = this.entries.flatMap((app) => (jobs.has(app.name) ? [{ app, environments: jobs.get(app.name) ?? [] }] : []));
    const rendered = await renderAppsInWorkers(this.context.renderWorkers, this.context.validationCache, this.root, appJobs, settings, workers);
    for (const verdict of rendered.verdicts) checks.cache.recordValid(verdict);
    for (const [env, byApp] of rendered.renders) this.prebuilt.set(env, byApp);
    return workers;
  }

  /** Keeps what this renderer validated, rendered and parsed for the next run. */
  save(): void {
    this.checks.cache.save();
    this.checks.renders.save();
    this.pinEntries.save();
  }

  /**
   * The apps to render `env` with: apps whose render in `env` is remembered or `prebuilt` are
   * stand-ins carrying the images they declared (their module is never imported); the others are
   * loaded, each once.
   */
  private appsFor(env: Environment, prebuilt: ReadonlyMap<string, AppRender>): Promise<LoadedApp[]> {
    const { checks, request } = this;
    const load = (entry: AppEntry): Promise<LoadedApp> => {
      const app = this.loaded.get(entry.name) ?? loadApp(this.root, this.context.importApp, entry);
      this.loaded.set(entry.name, app);
      return app;
    };
    // A set, not the list: an environment with an apps: list of 10,000 would otherwise scan it once per app.
    const listed = env.apps && new Set(env.apps);
    return Promise.all(
      this.entries.map(async (entry) => {
        if (request.shard && !ownsUnit(request.shard, env.name, entry.name)) return standIn(entry, []);
        const ready = prebuilt.get(entry.name);
        if (ready) return standIn(entry, ready.images);
        const deployed = listed === undefined || listed.has(entry.name);
        const key = deployed ? checks.renders.keyOf(env, entry, checks.schemas.digest) : undefined;
        const remembered = key === undefined || this.loaded.has(entry.name) ? undefined : checks.renders.peek(env.name, entry.name, key);
        if (!remembered) return deployed ? load(entry) : standIn(entry, []);
        return standIn(entry, remembered.images);
      }),
    );
  }
}

/** An app known by its folder and declared images only: enough to place its remembered render and check its pins. */
function standIn({ name, file }: AppEntry, images: readonly string[]): LoadedApp {
  const build = () => {
    throw new Error(`app "${name}" was not loaded; its render was expected from the cache`);
  };
  return { file, source: '', definition: { name, images: [...images], build } };
}
