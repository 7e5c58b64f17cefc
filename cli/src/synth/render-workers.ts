/**
 * Renders environments in parallel, one worker thread per core, each rendering whole environments
 * with the same compiled code and caches as the main thread. Outcomes are gathered by environment
 * name, so the output and the error reported (that of the first failing environment, in order) are
 * the same as rendering them one after another.
 */
import { availableParallelism } from 'node:os';
import { type MessagePort, Worker } from 'node:worker_threads';
import type { AppImporter } from '../apps/load-apps.ts';
import { ConfigError, type ConfigErrorDetails } from '../config/config-error.ts';
import { DistTree } from '../dist/dist-tree.ts';
import { renderCacheSettings, useRenderCache } from '../render/render-cache.ts';
import { useValidationCache, validationCacheSettings } from '../validate/validation-cache.ts';
import { type EnvironmentOutcome, EnvironmentRenderer, type RenderRequest } from './environment-renderer.ts';

/** How to start a worker: the launcher's worker script and the compiled modules it loads. */
export interface WorkerLaunch {
  /** URL of the script a worker runs: it imports `bundle` and calls its {@link serveRenders}. */
  readonly script: string;
  /** URL of the compiled module that exports {@link serveRenders}. */
  readonly bundle: string;
  /** URL of each app's compiled module, by app entry file. */
  readonly appModules: Readonly<Record<string, string>>;
}

/** What a worker starts with. */
export interface WorkerData {
  readonly bundle: string;
  readonly appModules: Readonly<Record<string, string>>;
  readonly root: string;
  readonly request: RenderRequest;
  /** The main thread's cache settings at the time (`--no-cache` turns them off). */
  readonly renders: ReturnType<typeof renderCacheSettings>;
  readonly verdicts: ReturnType<typeof validationCacheSettings>;
}

let launch: WorkerLaunch | undefined;

/** Lets synth render on worker threads started this way; undefined renders in the main thread only. */
export function useRenderWorkers(settings: WorkerLaunch | undefined): void {
  launch = settings;
}

/**
 * How many workers to render `environments` environments with: `MANIFOLD_RENDER_WORKERS` (at most one
 * per environment), `auto` for one per core; none by default. Measured on 2 cores with 2,000 apps ×
 * 3 environments, workers that each render whole environments finish no sooner than the main thread
 * alone (each imports every app again, and 3 environments on 2 workers leave one worker two of
 * them) and use about 150 MiB more, so they are opt-in until rendering is split by app.
 */
export function renderWorkerCount(environments: number): number {
  const wanted = process.env.MANIFOLD_RENDER_WORKERS;
  if (!launch || environments < 2 || wanted === undefined) return 0;
  if (wanted === 'auto') return Math.min(availableParallelism(), environments);
  return /^[0-9]{1,3}$/.test(wanted) ? Math.min(Number(wanted), environments) : 0;
}

type Reply =
  | { readonly env: string; readonly outcome: EnvironmentOutcome }
  | { readonly env: string; readonly failure: Failure }
  | { readonly verdicts: readonly string[] };

type Failure =
  | { readonly config: Omit<ConfigErrorDetails, 'cause'>; readonly cause?: { message: string; stack?: string } }
  | { readonly message: string; readonly stack?: string };

/**
 * Renders `names` on `count` workers. Returns the outcomes in the order of `names` and the verdicts
 * the workers added, or throws the first environment's problem.
 */
export async function renderInWorkers(
  root: string,
  names: readonly string[],
  request: RenderRequest,
  count: number,
): Promise<{ outcomes: EnvironmentOutcome[]; verdicts: string[] }> {
  if (!launch) throw new Error('render workers are not configured');
  const settings = launch;
  const queue = [...names];
  const outcomes = new Map<string, EnvironmentOutcome>();
  const failures = new Map<string, Failure>();
  const verdicts: string[] = [];
  const runWorker = () =>
    new Promise<void>((resolve, reject) => {
      const workerData: WorkerData = {
        bundle: settings.bundle,
        appModules: settings.appModules,
        root,
        request,
        renders: renderCacheSettings(),
        verdicts: validationCacheSettings(),
      };
      const worker = new Worker(new URL(settings.script), { workerData });
      const next = () => {
        const env = queue.shift();
        worker.postMessage(env === undefined ? { finish: true } : { env });
      };
      worker.on('message', (reply: Reply) => {
        if ('verdicts' in reply) {
          verdicts.push(...reply.verdicts);
          void worker.terminate().then(() => resolve());
          return;
        }
        if ('outcome' in reply) outcomes.set(reply.env, withBuffers(reply.outcome));
        else failures.set(reply.env, reply.failure);
        next();
      });
      worker.on('error', reject);
      worker.on('exit', (code) => (code === 0 || code === 1 ? resolve() : reject(new Error(`a render worker stopped with exit code ${code}`))));
      next();
    });
  await Promise.all(Array.from({ length: Math.min(count, names.length) }, runWorker));
  for (const name of names) {
    const failure = failures.get(name);
    if (failure) throw revive(failure);
    if (!outcomes.has(name)) throw new Error(`a render worker stopped before rendering ${name}`);
  }
  return { outcomes: names.map((name) => outcomes.get(name) as EnvironmentOutcome), verdicts };
}

/**
 * The worker's side: renders each environment the main thread names with one renderer (apps loaded
 * once), replies with the outcome or the failure, and on `finish` saves its renders and hands back
 * the verdicts it added for the main thread to keep.
 */
export async function serveRenders(port: MessagePort, data: WorkerData, importApp: AppImporter): Promise<void> {
  useRenderCache(data.renders);
  useValidationCache(data.verdicts?.file, data.verdicts?.version);
  const renderer = await EnvironmentRenderer.open(data.root, importApp, data.request);
  port.on('message', async (message: { env?: string; finish?: boolean }) => {
    if (message.finish) {
      renderer.saveRenders();
      port.postMessage({ verdicts: renderer.checks.cache.recorded() });
      return;
    }
    const env = message.env ?? '';
    try {
      port.postMessage({ env, outcome: await renderer.render(env) });
    } catch (error) {
      port.postMessage({ env, failure: describeFailure(error) });
    }
  });
}

function describeFailure(error: unknown): Failure {
  if (error instanceof ConfigError) {
    const { cause, ...config } = error.details;
    return { config, ...(cause instanceof Error ? { cause: { message: cause.message, stack: cause.stack } } : {}) };
  }
  return error instanceof Error ? { message: error.message, stack: error.stack } : { message: String(error) };
}

function revive(failure: Failure): Error {
  if ('config' in failure) {
    const cause = failure.cause && Object.assign(new Error(failure.cause.message), { stack: failure.cause.stack });
    return new ConfigError({ ...failure.config, ...(cause ? { cause } : {}) });
  }
  return Object.assign(new Error(failure.message), { stack: failure.stack });
}

/** The outcome with its dist/ tree as a DistTree again (a message carries it as plain data). */
function withBuffers(outcome: EnvironmentOutcome): EnvironmentOutcome {
  return outcome.tree ? { ...outcome, tree: DistTree.revive(outcome.tree) } : outcome;
}
