/**
 * Renders apps on worker threads for synth. The main thread hands each worker a few apps at a time,
 * each with the environments to render it in; the worker imports the app once, renders and validates
 * it in each of them and sends the renders back. A worker is replaced by a fresh one once it has
 * imported {@link APPS_PER_WORKER} apps, so no worker's heap grows with the repository: apps' modules
 * and the garbage cdk8s makes live in workers that come and go, and the main thread holds the
 * renders (bytes and hashes) until their environment is placed. An app whose render fails in a worker is left out of the answer: the
 * main thread renders it again and reports the problem exactly as it does without workers.
 */
import { availableParallelism } from 'node:os';
import { type MessagePort, Worker } from 'node:worker_threads';
import { ImageRef } from '@manifold/constructs/core';
import { type AppEntry, type AppImporter, type LoadedApp, loadApp } from '../apps/load-apps.ts';
import type { Environment, Pin } from '../config/load-environment.ts';
import type { YamlSource } from '../config/yaml-source.ts';
import { type AppRender, RenderCache } from '../render/render-cache.ts';
import { loadCrdSchemas } from '../validate/crd-schemas.ts';
import { ObjectSchemas } from '../validate/object-schemas.ts';
import { ValidationCache, type ValidationCacheSettings } from '../validate/validation-cache.ts';

/** How to start a worker: the launcher's worker script and the compiled modules it loads. */
export interface WorkerLaunch {
  /** URL of the script a worker runs: it imports `bundle` and calls its {@link serveRenders}. */
  readonly script: string;
  /** URL of the compiled module that exports {@link serveRenders}. */
  readonly bundle: string;
  /** URL of each app's compiled module, by app entry file. */
  readonly appModules: Readonly<Record<string, string>>;
}

/** An environment's settings as a message carries them: no pins (each job brings its app's), no parsed files. */
export type PortableEnvironment = Omit<Environment, 'pins' | 'sources'> & {
  readonly sources: { readonly environment: { readonly file: string; readonly text: string }; readonly images: { readonly file: string } };
};

/** A pin as a message carries it: its reference as text. */
type PortablePin = Omit<Pin, 'ref'> & { readonly ref: string };

/** One app to render, in each of `environments` with the pins it has there. */
export interface AppJob {
  readonly app: AppEntry;
  readonly environments: readonly { readonly env: string; readonly pins: readonly PortablePin[] }[];
}

/** What a worker starts with. */
export interface WorkerData {
  readonly bundle: string;
  readonly appModules: Readonly<Record<string, string>>;
  readonly root: string;
  /** The settings of every environment a job may name, by name. */
  readonly environments: Readonly<Record<string, PortableEnvironment>>;
  /** The main thread's verdict cache settings (`--no-cache` turns them off). */
  readonly verdicts: ValidationCacheSettings | undefined;
}

/** One app's render in one environment, as a worker sends it back. */
interface RenderedApp {
  readonly env: string;
  readonly app: string;
  readonly render: AppRender;
}

type Request = { readonly jobs: readonly AppJob[] } | { readonly finish: true };
type Reply = { readonly renders: readonly RenderedApp[] } | { readonly verdicts: readonly string[] };

/**
 * Apps a worker imports before it is replaced: bounds each worker's heap whatever the repository's
 * size (an app's module stays in memory as long as the thread that imported it).
 */
const APPS_PER_WORKER = 1000;
/** Apps sent in one message: small enough that workers share the last ones evenly. */
const APPS_PER_MESSAGE = 20;
/**
 * How many workers render apps: `MANIFOLD_RENDER_WORKERS` (`auto` for one per core), none when it is
 * not set. On 2 cores with 2,000 apps × 3 environments, workers made a cold synth slower (each loads
 * cdk8s and compiles its code again) and did not lower peak memory (what they render for every
 * environment waits in the main thread, which alone holds one environment at a time), so they are opt-in.
 */
export function renderWorkerCount(launch: WorkerLaunch | undefined): number {
  const wanted = process.env.MANIFOLD_RENDER_WORKERS;
  if (!launch || wanted === undefined) return 0;
  if (wanted === 'auto') return availableParallelism();
  return /^[0-9]{1,3}$/.test(wanted) ? Number(wanted) : 0;
}

/** `env`'s settings for a worker. */
export function portableEnvironment(env: Environment): PortableEnvironment {
  const { pins: _pins, sources, ...settings } = env;
  return { ...settings, sources: { environment: { file: sources.environment.file, text: sources.environment.text }, images: { file: sources.images.file } } };
}

/** The pins of `app` in `env`, for a worker. */
export function portablePins(env: Environment, app: string): PortablePin[] {
  let byApp = pinsByApp.get(env);
  if (!byApp) {
    byApp = new Map();
    for (const pin of env.pins.values()) byApp.set(pin.app, [...(byApp.get(pin.app) ?? []), { ...pin, ref: pin.ref.value }]);
    pinsByApp.set(env, byApp);
  }
  return byApp.get(app) ?? [];
}

const pinsByApp = new WeakMap<Environment, Map<string, PortablePin[]>>();

/**
 * Renders every job on `count` workers. Returns the renders by environment and app (without those
 * that failed) and the verdicts the workers recorded.
 */
export async function renderAppsInWorkers(
  launch: WorkerLaunch | undefined,
  verdictCache: ValidationCacheSettings | undefined,
  root: string,
  jobs: readonly AppJob[],
  environments: Readonly<Record<string, PortableEnvironment>>,
  count: number,
): Promise<{ renders: Map<string, Map<string, AppRender>>; verdicts: string[] }> {
  if (!launch) throw new Error('render workers are not configured');
  const settings = launch;
  const workerData: WorkerData = { bundle: settings.bundle, appModules: settings.appModules, root, environments, verdicts: verdictCache };
  const queue = [...jobs];
  const renders = new Map<string, Map<string, AppRender>>();
  const verdicts: string[] = [];
  const work = async () => {
    while (queue.length > 0) {
      const worker = new RenderWorker(new URL(settings.script), workerData);
      try {
        for (let imported = 0; imported < APPS_PER_WORKER && queue.length > 0; imported += APPS_PER_MESSAGE) {
          const reply = await worker.ask({ jobs: queue.splice(0, APPS_PER_MESSAGE) });
          for (const { env, app, render } of 'renders' in reply ? reply.renders : []) {
            const byApp = renders.get(env) ?? new Map<string, AppRender>();
            renders.set(env, byApp.set(app, render));
          }
        }
        const reply = await worker.ask({ finish: true });
        if ('verdicts' in reply) verdicts.push(...reply.verdicts);
      } finally {
        await worker.terminate();
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(count, jobs.length) }, work));
  return { renders, verdicts };
}

/** A worker answering one request at a time. */
class RenderWorker {
  private readonly worker: Worker;
  private pending: { resolve: (reply: Reply) => void; reject: (error: Error) => void } | undefined;

  constructor(script: URL, workerData: WorkerData) {
    this.worker = new Worker(script, { workerData });
    this.worker.on('message', (reply: Reply) => this.pending?.resolve(reply));
    this.worker.on('error', (error) => this.pending?.reject(error));
    this.worker.on('exit', (code) => this.pending?.reject(new Error(`a render worker stopped with exit code ${code}`)));
  }

  ask(request: Request): Promise<Reply> {
    return new Promise((resolve, reject) => {
      this.pending = { resolve, reject };
      this.worker.postMessage(request);
    });
  }

  async terminate(): Promise<void> {
    this.pending = undefined;
    await this.worker.terminate();
  }
}

/**
 * The worker's side: renders the jobs the main thread sends, each app imported once, and on
 * `finish` hands back the verdicts it recorded for the main thread to keep.
 */
export async function serveRenders(port: MessagePort, data: WorkerData, importApp: AppImporter): Promise<void> {
  const checks = {
    schemas: ObjectSchemas.deferred(await loadCrdSchemas(data.root)),
    cache: ValidationCache.open(data.verdicts),
    // The main thread keeps the renders; a worker only makes them.
    renders: RenderCache.open(undefined),
  };
  const { renderApp } = await import('../render/render-environment.ts');
  port.on('message', async (request: Request) => {
    if ('finish' in request) {
      port.postMessage({ verdicts: checks.cache.recorded() } satisfies Reply);
      return;
    }
    const renders: RenderedApp[] = [];
    for (const job of request.jobs) {
      const app: LoadedApp | undefined = await loadApp(data.root, importApp, job.app).catch(() => undefined);
      if (!app) continue;
      for (const { env, pins } of job.environments) {
        const settings = data.environments[env];
        if (!settings) continue;
        // A problem is the main thread's to report: it renders the app again.
        const render = await renderApp(environmentOf(settings, pins), app, checks).catch(() => undefined);
        if (render) renders.push({ env, app: job.app.name, render });
      }
    }
    port.postMessage({ renders } satisfies Reply);
  });
}

/** The environment a job renders in: its settings and the app's pins; positions only as far as the file (problems are reported by the main thread). */
function environmentOf(settings: PortableEnvironment, pins: readonly PortablePin[]): Environment {
  const unplaced = (file: string, text = ''): YamlSource => ({
    file,
    text,
    data: undefined,
    positionOf: () => ({ file, line: 1, col: 1 }),
    valueEnd: () => undefined,
  });
  const { environment, images } = settings.sources;
  return {
    ...settings,
    pins: new Map(pins.map((pin) => [`${pin.app}/${pin.image}`, { ...pin, ref: ImageRef.parseTagged(pin.ref) }])),
    sources: { environment: unplaced(environment.file, environment.text), images: unplaced(images.file) },
  };
}
