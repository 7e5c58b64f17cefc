/**
 * Remembers what each app rendered in each environment, keyed by a hash of everything those bytes
 * depend on: the app's code and every module it imports (constructs and the CLI included, as the
 * launcher hashes them), the external packages' versions, the environment's settings file, the pins
 * the app uses, and the schemas its objects were validated against. A run where an app's key is
 * unchanged reuses its objects without building, emitting or validating them again.
 *
 * Each environment's renders are spread over a fixed number of files by a hash of the app's name
 * (`<env>.renders/<shard>.pack`, each written whole and renamed into place, so concurrent runs never see a
 * partial file): a run that renders one app again rewrites one of them. They hold only the apps of
 * the last run: the cache never outgrows the repository. A file whose checksum does not match its
 * content is ignored, never trusted.
 */
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import type { AppEntry } from '../apps/load-apps.ts';
import type { Environment } from '../config/load-environment.ts';
import { type Pack, readPack, writePack } from '../files/checksummed-pack.ts';

/** One rendered object as the environment's output places it. */
export interface RenderedObject {
  /** Identity key (API group, kind, namespace, name) and its label for people. */
  readonly key: string;
  readonly label: string;
  /** Path below dist/<env>/. */
  readonly path: string;
  readonly bytes: string;
  /** Its line in the ownership index: sha256 of the bytes with Flux-marked values blanked. */
  readonly ownership: string;
  /** sha256 of the bytes (what a stamp records of the file). */
  readonly sha256: string;
  readonly constructPath: string;
  /** Where in the app's source errors about it point. */
  readonly line: number;
  readonly col: number;
}

/** Everything one app rendered in one environment. */
export interface AppRender {
  /** The images the app declares (checked against the pins without loading the app). */
  readonly images: readonly string[];
  readonly objects: readonly RenderedObject[];
  /** The ESC secrets the app asked for. */
  readonly secrets: readonly { readonly key: string; readonly escPath: string }[];
}

const FORMAT = 7;

/** The renders of one environment by app (or generated object), each with its key. */
type Entries = Map<string, { key: string; render: AppRender }>;

/** How many files hold an environment's renders. */
const SHARDS = 32;

/** The file of `name`'s render among {@link SHARDS}: FNV-1a of its UTF-16 code units. */
function shardOf(name: string): number {
  let hash = 0x811c9dc5;
  for (let index = 0; index < name.length; index++) hash = Math.imul(hash ^ name.charCodeAt(index), 0x01000193);
  return (hash >>> 0) % SHARDS;
}

/** Where renders are kept and the code hashes of this build (from the launcher): `appHashes` by app entry file. */
export interface RenderCacheSettings {
  readonly dir: string;
  readonly sharedHash: string;
  readonly appHashes: ReadonlyMap<string, string>;
}

const groupedPins = new WeakMap<Environment, Map<string, unknown[][]>>();

/** The pins of `env` by app, as they enter render keys: grouped once per environment, not scanned once per app. */
function pinsByApp(env: Environment): Map<string, unknown[][]> {
  let grouped = groupedPins.get(env);
  if (!grouped) {
    grouped = new Map();
    for (const pin of env.pins.values()) {
      const pins = grouped.get(pin.app) ?? [];
      pins.push([pin.image, pin.ref.value, pin.update ?? null, pin.hold, pin.policy ?? null]);
      grouped.set(pin.app, pins);
    }
    groupedPins.set(env, grouped);
  }
  return grouped;
}

const keysByEnvironment = new WeakMap<Environment, { readonly schemasDigest: string; readonly environment: string; readonly apps: Map<string, string> }>();

/**
 * The part of every render key that is the environment's (its name, settings file and schemas: hashed
 * once, not once per app), and the apps' keys as they are computed (each asked for more than once).
 */
function environmentKeys(env: Environment, schemasDigest: string) {
  let keys = keysByEnvironment.get(env);
  if (keys?.schemasDigest !== schemasDigest) {
    const environment = createHash('sha256')
      .update(JSON.stringify([FORMAT, env.name, env.sources.environment.text, schemasDigest]))
      .digest('hex');
    keys = { schemasDigest, environment, apps: new Map() };
    keysByEnvironment.set(env, keys);
  }
  return keys;
}

/** The renders of earlier runs, and the ones this run adds. */
export class RenderCache {
  private readonly loaded = new Map<string, Entries>();
  private readonly next = new Map<string, Entries>();
  /** The shards (`<env>/<shard>`) that got a new render in this run. */
  private changed = new Set<string>();

  private constructor(private readonly settings: RenderCacheSettings | undefined) {}

  /** The cache `settings` describe, or one that remembers nothing (renders not cached). */
  static open(settings: RenderCacheSettings | undefined): RenderCache {
    return new RenderCache(settings);
  }

  /** What sets the render packs of this build and format apart from any other. */
  private salt(): string {
    return `${FORMAT}\0${this.settings?.sharedHash ?? ''}\0`;
  }

  /** The key of `app`'s render in `env`, or undefined when its code hash is unknown (then it is not cached). */
  keyOf(env: Environment, app: AppEntry, schemasDigest: string): string | undefined {
    const code = this.settings?.appHashes.get(app.file);
    if (!code) return undefined;
    const keys = environmentKeys(env, schemasDigest);
    let key = keys.apps.get(app.name);
    if (key === undefined) {
      const pins = pinsByApp(env).get(app.name) ?? [];
      key = createHash('sha256')
        .update(`${keys.environment}\0${code}\0${JSON.stringify(pins)}`)
        .digest('hex');
      keys.apps.set(app.name, key);
    }
    return key;
  }

  /**
   * The key of objects Manifold generates in `env` (not an app's), from everything their bytes depend
   * on, or undefined when renders are not cached.
   */
  keyOfGenerated(env: Environment, inputs: unknown): string | undefined {
    if (!this.settings) return undefined;
    return createHash('sha256')
      .update(JSON.stringify([FORMAT, env.name, inputs]))
      .digest('hex');
  }

  /** What `app` rendered in `env` under `key`, when an earlier run left it, without keeping it for the next run. */
  peek(env: string, app: string, key: string): AppRender | undefined {
    const entry = this.pack(env).get(app);
    return entry?.key === key ? entry.render : undefined;
  }

  /** What `app` rendered in `env` under `key`, when an earlier run left it. */
  get(env: string, app: string, key: string): AppRender | undefined {
    const entry = this.pack(env).get(app);
    if (entry?.key !== key) return undefined;
    this.keep(env, app, entry);
    return entry.render;
  }

  /** Records what `app` rendered in `env` under `key`. */
  set(env: string, app: string, key: string, render: AppRender): void {
    this.keep(env, app, { key, render });
    this.changed.add(`${env}/${shardOf(app)}`);
  }

  /**
   * Writes the shards whose renders changed, keeping only this run's apps, and forgets them (of `only`
   * that environment, when given, so that its renders need not be held once it is rendered); a failure
   * to write is ignored.
   */
  save(only?: string): void {
    for (const [env, entries] of this.next) {
      if (only !== undefined && env !== only) continue;
      if (this.settings) {
        const before = bySharding(this.pack(env));
        for (const [shard, kept] of bySharding(entries)) {
          if (!this.changed.has(`${env}/${shard}`) && kept.size === before.get(shard)?.size) continue;
          writePack(this.shardFile(env, shard), this.salt(), packed(kept));
        }
      }
      this.next.delete(env);
      this.loaded.delete(env);
      for (let shard = 0; shard < SHARDS; shard++) this.changed.delete(`${env}/${shard}`);
    }
  }

  private keep(env: string, app: string, entry: { key: string; render: AppRender }): void {
    const entries: Entries = this.next.get(env) ?? new Map();
    this.next.set(env, entries.set(app, entry));
  }

  private pack(env: string): Entries {
    let pack = this.loaded.get(env);
    if (!pack) {
      pack = new Map();
      for (let shard = 0; shard < SHARDS; shard++) {
        for (const [app, entry] of unpacked(this.settings && readPack(this.shardFile(env, shard), this.salt()))) {
          if (shardOf(app) === shard) pack.set(app, entry);
        }
      }
      this.loaded.set(env, pack);
    }
    return pack;
  }

  private shardFile(env: string, shard: number): string {
    return join(this.settings?.dir ?? '', `${env}.renders`, `${shard}.pack`);
  }
}

/** `entries` split by shard, every shard present (an empty one when no app falls in it). */
function bySharding(entries: Entries): Map<number, Entries> {
  const shards = new Map(Array.from({ length: SHARDS }, (_, shard) => [shard, new Map()] as [number, Entries]));
  for (const [app, entry] of entries) shards.get(shardOf(app))?.set(app, entry);
  return shards;
}

/** The renders as a pack: the objects' bytes, in order, as its texts. */
function packed(entries: Entries): Pack {
  const texts: string[] = [];
  const data = [...entries].map(([app, { key, render }]) => {
    const objects = render.objects.map(({ bytes, ...rest }) => {
      texts.push(bytes);
      return rest;
    });
    return [app, key, { ...render, objects }];
  });
  return { data, texts };
}

/** The renders {@link packed} made (none from a pack that is missing or not one). */
function unpacked(pack: Pack | undefined): Entries {
  const entries: Entries = new Map();
  if (!pack || !Array.isArray(pack.data)) return entries;
  let text = 0;
  for (const [app, key, render] of pack.data as [string, string, AppRender][]) {
    const objects = render.objects.map((object) => ({ ...object, bytes: pack.texts[text++] ?? '' }));
    entries.set(app, { key, render: { ...render, objects } });
  }
  return text === pack.texts.length ? entries : new Map();
}
