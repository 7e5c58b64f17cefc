/**
 * Remembers what each app rendered in each environment, keyed by a hash of everything those bytes
 * depend on: the app's code and every module it imports (constructs and the CLI included, as the
 * launcher hashes them), the external packages' versions, the environment's settings file (without
 * its apps: list and comments, see render-settings.ts), the pins the app uses, and the schemas its
 * objects were validated against. A run where an app's key is
 * unchanged reuses its objects without building, emitting or validating them again.
 *
 * Each environment's renders are spread over a fixed number of files by a hash of the app's name
 * (`<env>.renders/<shard>.pack`, each written whole and renamed into place, so concurrent runs never see a
 * partial file): a run that renders one app again rewrites one of them. They hold only the apps of
 * the last run: the cache never outgrows the repository. A file whose checksum does not match its
 * content is ignored, never trusted.
 *
 * A shard lists each render's key and what the environment's assembly needs of its objects
 * (identity, path, hashes, marker lines) in its header, and keeps their bytes and the rest (label,
 * construct path, source position) as texts read only when asked for: a run whose change reaches one
 * app reads the headers, and the texts of the shards whose files it compares or rewrites. A shard
 * whose texts turn out damaged when read throws {@link RenderCacheMiss}, and the caller renders
 * without it.
 */
import { join } from 'node:path';
import type { AppEntry } from '../apps/load-apps.ts';
import type { Environment } from '../config/load-environment.ts';
import { renderedSettings } from '../config/render-settings.ts';
import { type OpenPack, openPack, type Pack, writePack } from '../files/checksummed-pack.ts';
import { contentHash } from '../files/content-hash.ts';
import type { MarkerLine } from '../markers/setter-markers.ts';

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
  /** The lines of its bytes that carry a Flux marker, with the policy Flux reads there (null: none it can see). */
  readonly marks: readonly MarkerLine[];
}

/** Everything one app rendered in one environment. */
export interface AppRender {
  /** The images the app declares (checked against the pins without loading the app). */
  readonly images: readonly string[];
  readonly objects: readonly RenderedObject[];
  /** The ESC secrets the app asked for. */
  readonly secrets: readonly { readonly key: string; readonly escPath: string }[];
}

const FORMAT = 8;

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

/** Where renders are kept and the code hashes of this build (from the launcher): `appHashes` by app entry file, one for every app it compiled. */
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
    // Without its apps: list and comments: listing an app renders that app, a comment no app.
    const environment = contentHash(JSON.stringify([FORMAT, env.name, renderedSettings(env.sources.environment.text), schemasDigest]));
    keys = { schemasDigest, environment, apps: new Map() };
    keysByEnvironment.set(env, keys);
  }
  return keys;
}

/** Thrown when a render's texts turn out damaged or gone when they are read: render without the cache. */
export class RenderCacheMiss extends Error {}

/** The renders of earlier runs, and the ones this run adds. */
export class RenderCache {
  /** The shards read so far, by `<env>/<shard>`. */
  private readonly shards = new Map<string, Entries>();
  private readonly next = new Map<string, Entries>();
  /** The shards (`<env>/<shard>`) that got a new render in this run. */
  private changed = new Set<string>();
  /** Environments rendered without their cached renders (one turned out damaged). */
  private readonly distrusted = new Set<string>();

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
      key = contentHash(`${keys.environment}\0${code}\0${JSON.stringify(pins)}`);
      keys.apps.set(app.name, key);
    }
    return key;
  }

  /**
   * The key of each of `objects` Manifold generates in `env` (not an app's), from everything its bytes
   * depend on (`shared`: what all of them depend on, written once into each key), or none when renders
   * are not cached.
   */
  keysOfGenerated(env: Environment, shared: unknown, objects: readonly object[]): (string | undefined)[] {
    if (!this.settings) return objects.map(() => undefined);
    const prefix = `${JSON.stringify([FORMAT, env.name, shared])}\0`;
    return objects.map((object) => contentHash(`${prefix}${JSON.stringify(object)}`));
  }

  /** What `app` rendered in `env` under `key`, when an earlier run left it, without keeping it for the next run. */
  peek(env: string, app: string, key: string): AppRender | undefined {
    const entry = this.shard(env, shardOf(app)).get(app);
    return entry?.key === key ? entry.render : undefined;
  }

  /** What `app` rendered in `env` under `key`, when an earlier run left it. */
  get(env: string, app: string, key: string): AppRender | undefined {
    const entry = this.shard(env, shardOf(app)).get(app);
    if (entry?.key !== key) return undefined;
    this.keep(env, app, entry);
    return entry.render;
  }

  /** Records what `app` rendered in `env` under `key`. */
  set(env: string, app: string, key: string, render: AppRender): void {
    this.keep(env, app, { key, render });
    this.changed.add(`${env}/${shardOf(app)}`);
  }

  /** Forgets every render of `env` an earlier run left (one turned out damaged when read): it renders anew. */
  distrust(env: string): void {
    this.distrusted.add(env);
    this.next.delete(env);
    for (let shard = 0; shard < SHARDS; shard++) this.shards.delete(`${env}/${shard}`);
  }

  /**
   * Writes the shards whose renders changed, keeping only this run's apps, and forgets them (of `only`
   * that environment, when given, so that its renders need not be held once it is rendered); a failure
   * to write is ignored.
   */
  save(only?: string): void {
    for (const [env, entries] of this.next) {
      if (only !== undefined && env !== only) continue;
      if (this.settings) this.write(env, entries);
      this.next.delete(env);
      for (let shard = 0; shard < SHARDS; shard++) {
        this.changed.delete(`${env}/${shard}`);
        this.shards.delete(`${env}/${shard}`);
      }
    }
  }

  private write(env: string, entries: Entries): void {
    for (const [shard, kept] of bySharding(entries)) {
      if (!this.changed.has(`${env}/${shard}`) && kept.size === this.shard(env, shard).size) continue;
      // Renders kept from the old shard are read from it now; one whose texts are damaged is dropped.
      const whole: Entries = new Map();
      for (const [app, { key, render }] of kept) {
        try {
          whole.set(app, { key, render: { ...render, objects: render.objects.map(completeObject) } });
        } catch (error) {
          if (!(error instanceof RenderCacheMiss)) throw error;
        }
      }
      writePack(this.shardFile(env, shard), this.salt(), packed(whole));
    }
  }

  private keep(env: string, app: string, entry: { key: string; render: AppRender }): void {
    const entries: Entries = this.next.get(env) ?? new Map();
    this.next.set(env, entries.set(app, entry));
  }

  private shard(env: string, shard: number): Entries {
    let entries = this.shards.get(`${env}/${shard}`);
    if (!entries) {
      const pack = this.settings && !this.distrusted.has(env) ? openPack(this.shardFile(env, shard), this.salt()) : undefined;
      entries = (pack && unpacked(pack)) ?? new Map();
      // A render filed under another shard is not this one's (deleting while iterating a Map is safe).
      for (const app of entries.keys()) if (shardOf(app) !== shard) entries.delete(app);
      this.shards.set(`${env}/${shard}`, entries);
    }
    return entries;
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

/** Every field of `object` as a plain object (one read from a shard reads its texts). */
function completeObject(object: RenderedObject): RenderedObject {
  const { key, label, path, bytes, ownership, sha256, constructPath, line, col, marks } = object;
  return { key, label, path, bytes, ownership, sha256, constructPath, line, col, marks };
}

/** What a shard's texts hold of one object besides its bytes: label, construct path, line, column. */
type Details = [string, string, number, number];

/**
 * A shard: in its header, per render its app (or generated entry), key, images, secrets and number of
 * objects, and per object its identity key, path and marker lines in columns, its sha256 in one
 * string of hex digits and its ownership hash only where that differs; as texts, each object's bytes
 * and then each render's {@link Details}.
 */
function packed(entries: Entries): Pack {
  const apps: unknown[] = [];
  const keys: string[] = [];
  const paths: string[] = [];
  const marks: [number, readonly MarkerLine[]][] = [];
  const ownership: [number, string][] = [];
  const texts: string[] = [];
  const details: string[] = [];
  let sha256 = '';
  for (const [app, { key, render }] of entries) {
    apps.push([app, key, render.images, render.secrets, render.objects.length]);
    for (const object of render.objects) {
      if (object.marks.length > 0) marks.push([keys.length, object.marks]);
      if (object.ownership !== object.sha256) ownership.push([keys.length, object.ownership]);
      keys.push(object.key);
      paths.push(object.path);
      sha256 += object.sha256;
      texts.push(object.bytes);
    }
    details.push(JSON.stringify(render.objects.map((object): Details => [object.label, object.constructPath, object.line, object.col])));
  }
  return { data: { apps, keys, paths, marks, ownership, sha256 }, texts: [...texts, ...details] };
}

/** The marker lines of the many objects that have none: one array for all of them. */
const NO_MARKS: readonly MarkerLine[] = Object.freeze([]);

/** The renders of a shard {@link packed} made, each object reading its texts when asked for; undefined when it is not one. */
function unpacked(pack: OpenPack): Entries | undefined {
  const data = pack.data as {
    apps: [string, string, string[], AppRender['secrets'], number][];
    keys: string[];
    paths: string[];
    marks: [number, MarkerLine[]][];
    ownership: [number, string][];
    sha256: string;
  };
  const count = data?.keys?.length;
  if (!Array.isArray(data?.apps) || !Array.isArray(data.keys) || !Array.isArray(data.paths) || typeof data.sha256 !== 'string') return undefined;
  if (data.paths.length !== count || data.sha256.length !== count * 64 || pack.count !== count + data.apps.length) return undefined;
  const marks = new Map(data.marks);
  const ownership = new Map(data.ownership);
  const entries: Entries = new Map();
  let at = 0;
  for (const [position, [app, key, images, secrets, objectCount]] of data.apps.entries()) {
    const texts = new PackedTexts(pack, app, count + position);
    const objects: RenderedObject[] = [];
    for (let index = 0; index < objectCount; index++, at++) {
      const sha256 = data.sha256.slice(at * 64, at * 64 + 64);
      objects.push(
        new PackedObject(data.keys[at] ?? '', data.paths[at] ?? '', sha256, ownership.get(at) ?? sha256, marks.get(at) ?? NO_MARKS, texts, at, index),
      );
    }
    entries.set(app, { key, render: { images, secrets, objects } });
  }
  return at === count ? entries : undefined;
}

/** The texts of one render in a shard: its objects' bytes, and their {@link Details} (parsed once, when first asked for). */
class PackedTexts {
  private details?: Details[];

  constructor(
    private readonly pack: OpenPack,
    private readonly app: string,
    /** The text that holds the render's details. */
    private readonly detailsText: number,
  ) {}

  bytes(text: number): string {
    const bytes = this.pack.text(text);
    if (bytes === undefined) throw new RenderCacheMiss(`the render of ${this.app} is damaged`);
    return bytes;
  }

  detailsOf(index: number): Details {
    this.details ??= JSON.parse(this.pack.text(this.detailsText) ?? 'null') as Details[];
    const found = this.details?.[index];
    if (!found) throw new RenderCacheMiss(`the render of ${this.app} is damaged`);
    return found;
  }
}

/** An object of a shard: what its header lists, and its bytes and details read from the shard's texts when first asked for. */
class PackedObject implements RenderedObject {
  constructor(
    readonly key: string,
    readonly path: string,
    readonly sha256: string,
    readonly ownership: string,
    readonly marks: readonly MarkerLine[],
    private readonly texts: PackedTexts,
    /** Its bytes' text in the shard. */
    private readonly text: number,
    /** Its place among its render's objects. */
    private readonly index: number,
  ) {}

  get bytes(): string {
    return this.texts.bytes(this.text);
  }
  get label(): string {
    return this.texts.detailsOf(this.index)[0];
  }
  get constructPath(): string {
    return this.texts.detailsOf(this.index)[1];
  }
  get line(): number {
    return this.texts.detailsOf(this.index)[2];
  }
  get col(): number {
    return this.texts.detailsOf(this.index)[3];
  }
}
