/**
 * The stamp checks of a run's environments, made on a worker thread beside the main thread. A check
 * takes one lstat per file of dist/<env>/: at 50,000 files an environment, it is the largest cost of
 * a run that renders one environment, and it needs nothing the main thread does. An environment whose
 * inputs moved since its stamp (the head of its stamp file tells) renders whatever its files are: when
 * one does, a worker takes the environments from the first, in the order the run takes them, and the
 * main thread renders while the worker looks at the files. A main thread that would wait for a check
 * takes the environments nobody took, from the last, and checks them itself until the worker answers
 * (10,000 services, nothing changed: one environment of three left the main thread idle for 0.4 s of
 * 1.3). A run that renders nothing shares the checks with a worker only when the stamps are large:
 * below {@link SHARED_STAMP_BYTES}, the worker's start costs more than sharing saves (2,000 services:
 * 390 → 450 ms). Tests, `--no-cache` and a worker that failed make every check on the main thread.
 */
import { type MessagePort, Worker } from 'node:worker_threads';
import { type StampCheck, type StampFolder, stampHead, verifiedStamp } from './environment-stamps.ts';

/** What a stamp-check worker starts with. */
export interface StampWorkerData {
  readonly root: string;
  readonly cache: StampFolder;
  /** The environments to check, in order, each with the hash of its inputs. */
  readonly environments: readonly { readonly env: string; readonly key: string }[];
  /** Who took each environment (shared with the main thread): {@link UNCLAIMED}, {@link BY_WORKER} or {@link BY_MAIN}. */
  readonly claims: Int32Array;
}

/** The size of the run's stamp files, all together, from which a run that renders nothing shares their checks with a worker (10,000 services: 25 MB). */
const SHARED_STAMP_BYTES = 16 * 1024 * 1024;

const UNCLAIMED = 0;
const BY_WORKER = 1;
const BY_MAIN = 2;

/** What the worker says of an environment it took. */
interface StampReply {
  readonly env: string;
  readonly check: StampCheck;
}

/** The stamp checks of one run, by environment. */
export class StampChecks {
  /** Per environment the worker may check: its check, or undefined when the worker did not make it. */
  private readonly answered = new Map<string, Promise<StampCheck | undefined>>();
  private readonly unanswered = new Map<string, (check: StampCheck | undefined) => void>();
  private readonly checks = new Map<string, Promise<StampCheck>>();
  private worker?: Worker;
  private shared?: Pick<StampWorkerData, 'environments' | 'claims'>;

  private constructor(
    private readonly root: string,
    private readonly keys: ReadonlyMap<string, string | undefined>,
    private readonly cache: StampFolder | undefined,
    /** The environments whose inputs moved since their stamp (or that have none): they render. */
    private readonly moved: ReadonlySet<string>,
  ) {}

  /**
   * The stamp checks of the environments of `keys` (in its order) against their stamps in `cache`,
   * started on a worker running `script` (a module URL that calls {@link serveStampChecks}) when
   * there is one, and some environment renders or the stamps are large.
   */
  static start(root: string, keys: ReadonlyMap<string, string | undefined>, cache: StampFolder | undefined, script: string | undefined): StampChecks {
    const heads = new Map([...keys.keys()].map((env) => [env, cache ? stampHead(env, cache) : { bytes: 0 }]));
    const moved = new Set([...keys].flatMap(([env, key]) => (key === undefined || heads.get(env)?.key !== key ? [env] : [])));
    const checks = new StampChecks(root, keys, cache, moved);
    const environments = [...keys].flatMap(([env, key]) => (key === undefined ? [] : [{ env, key }]));
    const bytes = [...heads.values()].reduce((sum, head) => sum + head.bytes, 0);
    if (script && cache && environments.length > 0 && (moved.size > 0 || bytes >= SHARED_STAMP_BYTES)) {
      const claims = new Int32Array(new SharedArrayBuffer(environments.length * Int32Array.BYTES_PER_ELEMENT));
      checks.startWorker(script, { root, cache: { dir: cache.dir }, environments, claims });
    }
    return checks;
  }

  /** Whether `env` renders: known at once when its inputs moved since its stamp, before its files are looked at. */
  async renders(env: string): Promise<boolean> {
    if (this.moved.has(env)) return true;
    const check = this.check(env);
    // Until the worker answers, the main thread checks the environments nobody took, from the last.
    for (let taken = this.takeLastFor(env); taken !== undefined; taken = this.takeLastFor(env)) await this.check(taken);
    return !(await check).stamp;
  }

  /** The stamp check of `env`. */
  check(env: string): Promise<StampCheck> {
    let check = this.checks.get(env);
    if (!check) {
      const made = () => verifiedStamp(this.root, env, this.keys.get(env), this.cache);
      const answer = this.answered.get(env);
      check = answer ? answer.then((answered) => answered ?? made()) : made();
      this.checks.set(env, check);
    }
    return check;
  }

  /** Stops the worker: a check it did not make is made on the main thread if it is asked for. */
  close(): void {
    void this.worker?.terminate();
    this.leaveRest();
  }

  /** While the worker has not answered `waited`, takes the last environment nobody took (to check on the main thread). */
  private takeLastFor(waited: string): string | undefined {
    const { environments = [], claims } = this.shared ?? {};
    if (!this.unanswered.has(waited)) return undefined;
    for (let at = environments.length - 1; at >= 0 && claims; at--) {
      const taken = Atomics.compareExchange(claims, at, UNCLAIMED, BY_MAIN);
      if (taken === BY_WORKER) return undefined;
      if (taken !== UNCLAIMED) continue;
      const { env } = environments[at] as { env: string };
      this.unanswered.get(env)?.(undefined);
      this.unanswered.delete(env);
      return env;
    }
    return undefined;
  }

  private startWorker(script: string, data: StampWorkerData): void {
    for (const { env } of data.environments) this.answered.set(env, new Promise((resolve) => this.unanswered.set(env, resolve)));
    // A small young generation: the worker's garbage is short-lived (parsed stamps), and a process's peak counts every thread's heap.
    const worker = new Worker(new URL(script), { workerData: data, resourceLimits: { maxYoungGenerationSizeMb: 8 } });
    // The process never waits for checks it no longer needs.
    worker.unref();
    worker.on('message', ({ env, check }: StampReply) => {
      this.unanswered.get(env)?.(check);
      this.unanswered.delete(env);
    });
    // A worker that fails leaves its checks to the main thread (an error there is reported as usual).
    worker.on('error', () => this.leaveRest());
    worker.on('exit', () => this.leaveRest());
    this.worker = worker;
    this.shared = data;
  }

  /** Leaves every check the worker did not make to the main thread. */
  private leaveRest(): void {
    this.worker = undefined;
    this.shared = undefined;
    for (const answer of this.unanswered.values()) answer(undefined);
    this.unanswered.clear();
  }
}

/** The worker's side: checks each environment of `data` nobody took yet, in order, and answers on `port`. */
export async function serveStampChecks(port: MessagePort, { root, cache, environments, claims }: StampWorkerData): Promise<void> {
  for (const [at, { env, key }] of environments.entries()) {
    if (Atomics.compareExchange(claims, at, UNCLAIMED, BY_WORKER) !== UNCLAIMED) continue;
    port.postMessage({ env, check: await verifiedStamp(root, env, key, cache) } satisfies StampReply);
  }
}
