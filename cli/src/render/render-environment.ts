/** Renders one environment in memory: apps + overlay → the bytes of every file under dist/<env>/. */

import { chartObjectJson, type PlainObject } from '@manifold/constructs/core';
import { ApiObject, type ApiObjectProps, App, Chart } from 'cdk8s';
import type { LoadedApp } from '../apps/load-apps.ts';
import { locateInSource } from '../apps/load-apps.ts';
import { runApp } from '../apps/run-app.ts';
import { type Environment, overlayFiles } from '../config/load-environment.ts';
import { DELIVERY_FOLDER, deliveryObjects, ENVIRONMENT_FOLDER, namespaceObject } from '../delivery/delivery-objects.ts';
import { ConfigError, type SourcePosition } from '../errors/config-error.ts';
import { escLocations } from '../esc/esc-pins.ts';
import { ESC_CONSTRUCTS, externalSecret, secretStore } from '../esc/external-secrets.ts';
import { contentHash } from '../files/content-hash.ts';
import { FLUX_FOLDER, imageAutomationObjects } from '../flux/image-automation-objects.ts';
import { type MarkerLine, markerLines } from '../markers/setter-markers.ts';
import { isBuiltInApiVersion } from '../validate/api-server-rules.ts';
import { appSecretRefusal } from '../validate/app-secrets.ts';
import { scopeRefusal, withoutNamespaceIfClusterScoped } from '../validate/environment-scope.ts';
import type { ObjectSchemas } from '../validate/object-schemas.ts';
import { type ValidationSettings, validateObject } from '../validate/validate-object.ts';
import type { ValidationCache } from '../validate/validation-cache.ts';
import { admissionPolicyObjects, POLICY_FOLDER } from '../verify/admission-policy.ts';
import { emitObject, emitYaml, type MarkerPlacement } from '../yaml/emit-yaml.ts';
import { findFluxStyleViolations } from '../yaml/flux-style-guard.ts';
import { deriveSequenceIndentStyle } from '../yaml/sequence-indent-style.ts';
import { createAppContext } from './app-context.ts';
import { KUSTOMIZATION_FILE, kustomization } from './kustomization.ts';
import { type KubernetesObject, objectIdentity } from './object-identity.ts';
import { ownershipHash } from './ownership-index.ts';
import type { AppRender, RenderCache, RenderedObject } from './render-cache.ts';
import { type FileSource, RenderedFiles } from './rendered-files.ts';

/** What every rendered object is checked against, and the verdicts remembered from earlier runs. */
export interface ObjectChecks {
  readonly schemas: ObjectSchemas;
  readonly cache: ValidationCache;
  /** What apps rendered in earlier runs, reused when nothing they depend on changed. */
  readonly renders: RenderCache;
}

/** The rendered content of `dist/<env>/`: paths relative to it, sorted, mapped to file bytes. */
export interface RenderedEnvironment {
  readonly env: string;
  readonly files: ReadonlyMap<string, string>;
  /** The ownership hash of each file (its line in the index, see ownership-index.ts), when the renderer computed them. */
  readonly ownership?: ReadonlyMap<string, string>;
  /** The sha256 of each file's bytes, when the renderer computed them. */
  readonly hashes?: ReadonlyMap<string, string>;
  /** The lines of each file that carry a Flux marker (files without one are left out), when the renderer found them. */
  readonly marks?: ReadonlyMap<string, readonly MarkerLine[]>;
  /** The ESC secrets the apps asked for (External Secrets fetch them in the cluster). */
  readonly escSecrets?: readonly EscSecretUse[];
  /** The apps built in this run, and those whose earlier render was reused because nothing it depends on changed. */
  readonly apps?: { readonly rendered: readonly string[]; readonly reused: readonly string[] };
}

/** A rendered object still to validate, and how to report a problem with it. */
interface UncheckedObject {
  readonly object: Record<string, unknown>;
  /** Its key in the verdict cache. */
  readonly verdict: string;
  readonly settings: ValidationSettings;
  readonly describe: (message: string, hint: string) => ConfigError;
}

/**
 * Validates every object not known valid from an earlier run — schema, API-server rules, Pod
 * Security, Flux style — loading only the validators those objects need; throws the first problem,
 * in render order, and remembers the rest as valid.
 */
async function checkObjects(unchecked: readonly UncheckedObject[], checks: ObjectChecks): Promise<void> {
  await checks.schemas.prepare(unchecked.map(({ object }) => `${String(object.apiVersion)}/${String(object.kind)}`));
  for (const { object, verdict, settings, describe } of unchecked) {
    const violation = validateObject(object, checks.schemas, settings);
    if (violation) throw describe(`${violation.path}: ${violation.message}`, violation.hint);
    const styleViolation = findFluxStyleViolations(object)[0];
    if (styleViolation) {
      throw describe(
        `has a value Flux would reformat at ${styleViolation.path}: ${styleViolation.reason}`,
        'change the value so that it is plain single-line text, or move it into a ConfigMap file that carries no marker',
      );
    }
    checks.cache.recordValid(verdict);
  }
}

/** The start of the paths of the sync objects (made once: `place` checks every object's path). */
const DELIVERY_PREFIX = `${DELIVERY_FOLDER}/`;

/** One ESC secret an app uses. */
export interface EscSecretUse {
  readonly app: string;
  readonly key: string;
  readonly escPath: string;
}

/** Which part of an environment to render, when not all of it (a shard of a check). */
export interface RenderScope {
  /** True for the apps to render; the others, and their pins, are left out. */
  readonly renders: (app: string) => boolean;
}

/**
 * Renders `env` with the apps deployed to it (those in `scope`), validating each app's objects as
 * soon as it is built (so they need not outlive it); throws the first problem. Apps in `prebuilt` are
 * placed as {@link renderApp} rendered them elsewhere (a worker thread). No file system, no network.
 */
export async function renderEnvironment(
  env: Environment,
  allApps: readonly LoadedApp[],
  checks: ObjectChecks,
  scope?: RenderScope,
  prebuilt: ReadonlyMap<string, AppRender> = new Map(),
): Promise<RenderedEnvironment> {
  const apps = selectApps(env, allApps).filter((app) => scope?.renders(app.definition.name) ?? true);
  checkPins(env, apps, scope);
  // esc.images and esc.prefix are checked with everything else, not first by the esc commands.
  if (env.esc) escLocations(env, env.esc);
  const output = new EnvironmentOutput(env, checks);
  const escSecrets: EscSecretUse[] = [];
  const built: string[] = [];
  const reused: string[] = [];
  for (const app of apps) {
    const { name } = app.definition;
    const key = checks.renders.keyOf(env, { name, file: app.file }, checks.schemas.digest);
    const ready = prebuilt.get(name);
    const remembered = ready || key === undefined ? undefined : checks.renders.get(env.name, name, key);
    const placed = ready ?? remembered;
    if (placed) for (const object of placed.objects) output.place(object, `app "${name}"`, app.file);
    const render = placed ?? buildApp(env, app, output);
    if (!placed) await output.check();
    if (key !== undefined && !remembered) checks.renders.set(env.name, name, key, render);
    for (const secret of render.secrets) escSecrets.push({ app: name, ...secret });
    (remembered ? reused : built).push(name);
  }
  const where = (key: string) => env.sources.environment.positionOf([key]);
  output.addGenerated(ENVIRONMENT_FOLDER, 'the environment', undefined, [namespaceObject(env)], where('namespace'));
  output.addGenerated(POLICY_FOLDER, 'the admission policy', env.namespace, admissionPolicyObjects(env), where('admission'));
  const fluxObjects = imageAutomationObjects(env);
  output.addGenerated(FLUX_FOLDER, 'Flux image automation', env.flux.namespace, fluxObjects, where('flux'));
  for (const { object, namespace } of deliveryObjects(env, fluxObjects.length > 0)) {
    output.addGenerated(DELIVERY_FOLDER, `delivery (${env.delivery.tool})`, namespace, [object], where('delivery'));
  }
  await output.check();
  return { ...output.finish(), escSecrets, apps: { rendered: built, reused } };
}

/**
 * Renders and validates one app in `env` on its own (a worker thread's share of a synth); throws
 * the first problem. What it returns is what {@link renderEnvironment} places for it.
 */
export async function renderApp(env: Environment, app: LoadedApp, checks: ObjectChecks): Promise<AppRender> {
  const output = new EnvironmentOutput(env, checks);
  const render = buildApp(env, app, output);
  await output.check();
  return render;
}

/** Builds `app` in `env`, adding its objects to `output` (to validate with its {@link EnvironmentOutput.check}). */
function buildApp(env: Environment, app: LoadedApp, output: EnvironmentOutput): AppRender {
  const { definition } = app;
  const owner = `app "${definition.name}"`;
  const chart = newChart(definition.name, env.namespace, { 'app.kubernetes.io/part-of': definition.name });
  const { context, secrets, resolvePinnedValues } = createAppContext(env, definition.name, definition.images);
  const rendered = runApp(app, env.name, () => {
    definition.build(chart, context);
    if (secrets.length > 0 && env.esc) {
      new ApiObject(chart, ESC_CONSTRUCTS.externalSecret, externalSecret(definition.name, secrets) as ApiObjectProps);
      new ApiObject(chart, ESC_CONSTRUCTS.secretStore, secretStore(env.esc, definition.name) as ApiObjectProps);
    }
    return withConstructPaths(chart).map(({ object, constructPath }) => ({ object, constructPath, markers: resolvePinnedValues(object) }));
  });
  const refusal = appSecretRefusal(definition.name, rendered as unknown as { object: Record<string, unknown>; constructPath: string }[]);
  if (refusal) {
    const { object, constructPath } = rendered[refusal.index] as ChartObject;
    throw new ConfigError({
      file: app.file,
      ...locateInSource(app.source, object.metadata?.name ?? ''),
      message: `${objectIdentity(object).label} (${owner}, construct ${constructPath}) ${refusal.path}: ${refusal.message}`,
      hint: refusal.hint,
    });
  }
  const objects: RenderedObject[] = [];
  for (const { object, constructPath, markers } of rendered) {
    const where = { file: app.file, ...locateInSource(app.source, object.metadata?.name ?? '') };
    objects.push(output.add({ folder: definition.name, owner, object, markers, where, constructPath, namespace: env.namespace, generated: false }));
  }
  return { images: [...definition.images], objects, secrets: secrets.map(({ key, escPath }) => ({ key, escPath })) };
}

interface ChartObject {
  readonly object: KubernetesObject;
  readonly constructPath: string;
}

/** The chart's objects as JSON, each with the path of the construct that made it. */
function withConstructPaths(chart: Chart): ChartObject[] {
  const paths = new Map<string, string>();
  for (const construct of chart.node.findAll()) {
    if (ApiObject.isApiObject(construct)) paths.set(`${construct.apiVersion} ${construct.kind} ${construct.name}`, construct.node.path);
  }
  return (chart.toJson() as KubernetesObject[]).map((object) => ({
    object,
    constructPath: paths.get(`${object.apiVersion} ${object.kind} ${object.metadata?.name}`) ?? chart.node.path,
  }));
}

/**
 * A chart in an App of its own: Chart.toJson() resolves and validates its whole App, so sharing one
 * App between all charts would make rendering quadratic in the number of apps.
 */
function newChart(id: string, namespace: string | undefined, labels: Record<string, string>): Chart {
  return new Chart(new App({ outdir: '/nonexistent' }), id, {
    ...(namespace ? { namespace } : {}),
    disableResourceNameHashes: true,
    labels: { ...labels, ...MANAGED_BY },
  });
}

/** The label every object Manifold renders carries. */
const MANAGED_BY = { 'app.kubernetes.io/managed-by': 'manifold' };

/** One object to add to the output, with where it came from. */
interface OutputObject {
  /** Folder under dist/<env>/. */
  readonly folder: string;
  /** Who emits it, for error messages. */
  readonly owner: string;
  readonly object: KubernetesObject;
  readonly markers: readonly MarkerPlacement[];
  /** Where errors about it point. */
  readonly where: SourcePosition;
  readonly constructPath: string;
  /** The namespace of the chart it was made in. */
  readonly namespace: string;
  /** True for objects Manifold itself generates, whose file names never carry their API group. */
  readonly generated: boolean;
}

/** The files of one environment as they are rendered, with the checks every object must pass. */
class EnvironmentOutput {
  /** The object placed at each path (it reads its bytes when asked for, see rendered-files.ts). */
  private readonly files = new Map<string, RenderedObject>();
  private readonly owners = new Map<string, string>();
  private readonly ownership = new Map<string, string>();
  private readonly hashes = new Map<string, string>();
  private readonly marks = new Map<string, readonly MarkerLine[]>();

  private readonly settings: string;
  /** Objects added since the last {@link check} that are not known valid. */
  private unchecked: UncheckedObject[] = [];

  constructor(
    private readonly env: Environment,
    private readonly checks: ObjectChecks,
  ) {
    this.settings = `${checks.schemas.digest}\0${env.podSecurity}\0${env.requireDigests}\0${env.kubernetesVersion}`;
  }

  /** Adds the object as `<folder>/<kind>-<name>.yaml`, to be validated unless its bytes are known valid. */
  add(added: OutputObject): RenderedObject {
    const { folder, owner, markers, where, constructPath } = added;
    // A chart gives every object its namespace; a cluster-scoped one has none.
    const object = withoutNamespaceIfClusterScoped(added.object, this.checks.schemas.clusterScopedCrds);
    const identity = objectIdentity(object);
    const describe = (message: string, hint: string): ConfigError =>
      new ConfigError({ ...where, message: `${identity.label} (${owner}, construct ${constructPath}) ${message}`, hint });
    if (!object.metadata?.name) throw describe('has no name', 'set metadata.name');
    if (!added.generated) {
      const refusal = scopeRefusal(object, this.env, this.checks.schemas.clusterScopedCrds);
      if (refusal) throw describe(refusal.message, refusal.hint);
    }
    const bytes = emitObject(object, markers);
    // Objects whose exact bytes passed every check before (same checks, same settings) are not checked again.
    const sha256 = contentHash(bytes);
    const verdict = this.checks.cache.keyOf(this.settings, sha256);
    const checked = this.checks.cache.isKnownValid(verdict);
    if (containsSequence(object) && deriveSequenceIndentStyle(bytes) !== 'wide') {
      throw describe(
        'would be re-indented by Flux (a block scalar looks like a compact sequence)',
        'move the YAML-looking text into a field after the first list, or indent its lists',
      );
    }
    const placed = {
      key: identity.key,
      label: identity.label,
      path: `${folder}/${fileName(object, added)}`,
      bytes,
      ownership: ownershipHash(bytes, sha256),
      sha256,
      constructPath,
      line: where.line,
      col: where.col,
      marks: markerLines(bytes),
    };
    this.place(placed, owner, where.file);
    if (!checked) {
      const settings = {
        podSecurity: this.env.podSecurity,
        env: this.env.name,
        requireDigests: this.env.requireDigests,
        kubernetesVersion: this.env.kubernetesVersion,
      };
      this.unchecked.push({ object: object as unknown as Record<string, unknown>, verdict, settings, describe });
    }
    return placed;
  }

  /** Validates the objects added since the last call; throws the first problem. */
  async check(): Promise<void> {
    const unchecked = this.unchecked;
    this.unchecked = [];
    await checkObjects(unchecked, this.checks);
  }

  /**
   * Places a rendered object (new, or remembered from an earlier run), refusing a second object with
   * its identity or path. Of a remembered object, only its identity, path and hashes are read.
   */
  place(object: RenderedObject, owner: string, file: string): void {
    // The sync objects are applied on their own, once: one of them may be an object the sync applies too (the Namespace).
    const key = object.path.startsWith(DELIVERY_PREFIX) ? `${DELIVERY_FOLDER} ${object.key}` : object.key;
    const previous = this.owners.get(key);
    if (previous) throw refusal(object, owner, file, `is emitted twice in ${this.env.name} (also by ${previous})`);
    this.owners.set(key, owner);
    const clash = this.files.get(object.path);
    if (clash) throw refusal(object, owner, file, `would be written to ${object.path}, which ${clash.label} already takes`);
    this.files.set(object.path, object);
    this.ownership.set(object.path, object.ownership);
    this.hashes.set(object.path, object.sha256);
    if (object.marks.length > 0) this.marks.set(object.path, object.marks);
  }

  /**
   * Adds objects Manifold itself generates (in `namespace`, or cluster-scoped without one) under
   * `folder`. Each object rendered by an earlier run from the same input is placed as it was; the
   * others are built in one chart (a one-pin change rebuilds one policy, not every Flux object).
   */
  addGenerated(folder: string, owner: string, namespace: string | undefined, objects: readonly object[], where: SourcePosition): void {
    const { renders } = this.checks;
    const keys = renders.keysOfGenerated(this.env, [folder, namespace ?? null, where, this.settings], objects);
    // Remembered by identity, so that adding or removing one object leaves the others' entries in place.
    const entry = (object: object) => {
      const { kind, metadata } = object as Partial<KubernetesObject>;
      return `${folder}/${kind}/${metadata?.name}`;
    };
    // Plain JSON already: rendered as a chart in `namespace` renders it, without building constructs.
    const chart = { namespace: namespace || undefined, labels: MANAGED_BY };
    const building: { readonly index: number; readonly object: object; readonly key: string | undefined }[] = [];
    for (const [index, object] of objects.entries()) {
      const key = keys[index];
      const cached = key === undefined ? undefined : renders.get(this.env.name, entry(object), key);
      for (const placed of cached?.objects ?? []) this.place(placed, owner, where.file);
      if (!cached) building.push({ index, object, key });
    }
    for (const { index, object, key } of building) {
      const json = chartObjectJson(object as PlainObject, chart) as unknown as KubernetesObject;
      const constructPath = `${folder}/Object${index}`;
      const placed = this.add({ folder, owner, object: json, markers: [], where, constructPath, namespace: namespace ?? this.env.namespace, generated: true });
      if (key !== undefined) renders.set(this.env.name, entry(object), key, { images: [], objects: [placed], secrets: [] });
    }
  }

  /**
   * The files sorted by path, with the kustomization that lists them; the sync objects in
   * `_delivery/` get a kustomization of their own, so the sync they set up never applies them.
   */
  finish(): RenderedEnvironment {
    const byPath = ([a]: [string, unknown], [b]: [string, unknown]) => (a < b ? -1 : a > b ? 1 : 0);
    const sorted: [string, FileSource][] = [...this.files.entries()].sort(byPath);
    const delivery: string[] = [];
    const synced: string[] = [];
    for (const [path] of sorted) (path.startsWith(DELIVERY_PREFIX) ? delivery : synced).push(path);
    const kustomizations: [string, string][] = [[KUSTOMIZATION_FILE, emitYaml([kustomization(synced)])]];
    if (delivery.length > 0) {
      const listed = delivery.map((path) => path.slice(DELIVERY_PREFIX.length));
      kustomizations.push([`${DELIVERY_FOLDER}/${KUSTOMIZATION_FILE}`, emitYaml([kustomization(listed)])]);
    }
    // Sorting sorted files with two more costs one pass (the sort finds the sorted run).
    const files = new Map<string, FileSource>([...sorted, ...kustomizations].sort(byPath));
    // Placed objects carry their hashes: only the kustomizations are hashed here.
    for (const [path, source] of kustomizations) this.hashes.set(path, contentHash(source));
    return { env: this.env.name, files: new RenderedFiles(files), ownership: this.ownership, hashes: this.hashes, marks: this.marks };
  }
}

/** The error for an object placed where another object already is (by identity or path). */
function refusal(object: RenderedObject, owner: string, file: string, message: string): ConfigError {
  return new ConfigError({
    file,
    line: object.line,
    col: object.col,
    message: `${object.label} (${owner}, construct ${object.constructPath}) ${message}`,
    hint: 'give one of the objects another name',
  });
}

/**
 * `<kind>-<name>.yaml` for built-in kinds; kinds of other API groups add their group
 * (`<kind>.<group>-<name>.yaml`), and objects outside the environment's namespace add theirs.
 */
function fileName(object: KubernetesObject, { namespace, generated }: OutputObject): string {
  const kind = generated || isBuiltInApiVersion(object.apiVersion) ? object.kind : `${object.kind}.${object.apiVersion.split('/')[0]}`;
  const elsewhere = object.metadata.namespace && object.metadata.namespace !== namespace ? `.${object.metadata.namespace}` : '';
  return `${kind.toLowerCase()}-${object.metadata.name}${elsewhere}.yaml`;
}

function containsSequence(value: unknown): boolean {
  if (Array.isArray(value)) return value.length > 0;
  return typeof value === 'object' && value !== null && Object.values(value).some(containsSequence);
}

function selectApps(env: Environment, apps: readonly LoadedApp[]): LoadedApp[] {
  if (env.apps === undefined) return [...apps];
  const byName = new Map(apps.map((app) => [app.definition.name, app]));
  return env.apps.map((name, index) => {
    const app = byName.get(name);
    if (!app) {
      throw new ConfigError({
        ...env.sources.environment.positionOf(['apps', index]),
        message: `unknown app "${name}"`,
        hint: `create apps/${name}/ or remove it from apps (known: ${apps.map((known) => known.definition.name).join(', ')})`,
      });
    }
    return app;
  });
}

function checkPins(env: Environment, apps: readonly LoadedApp[], scope: RenderScope | undefined): void {
  const images = env.sources.images;
  // Every missing pin at once: a new environment or app lacks several, and one per run is a slow way to learn them.
  const missing = apps.flatMap(({ definition }) =>
    definition.images.filter((image) => !env.pins.has(`${definition.name}/${image}`)).map((image) => ({ app: definition.name, image })),
  );
  const [first] = missing;
  if (first) {
    const names = missing.map(({ app, image }) => `${app}/${image}`);
    const fill = env.promotesFrom ? `pnpm promote ${env.promotesFrom} ${env.name} --only ${[...new Set(missing.map(({ app }) => app))].join(',')}, or ` : '';
    throw new ConfigError({
      ...images.positionOf([first.app]),
      message:
        missing.length === 1
          ? `app "${first.app}" uses image "${first.image}" but ${env.name} has no pin for it`
          : `${env.name} has no pin for ${missing.length} images its apps use: ${names.join(', ')}`,
      hint: `${fill}pnpm manifold pin ${env.name} ${names.map((name) => `${name}=<ref>`).join(' ')}; or leave the app out of ${env.name} with an apps: list in ${overlayFiles(env.name).environment}`,
    });
  }
  const byName = new Map(apps.map((app) => [app.definition.name, app]));
  for (const pin of env.pins.values()) {
    if (scope && !scope.renders(pin.app)) continue;
    const app = byName.get(pin.app);
    if (!app?.definition.images.includes(pin.image)) {
      throw new ConfigError({
        ...images.positionOf([pin.app, pin.image], 'key'),
        message: `pin ${pin.app}/${pin.image} is not used: ${app ? `app "${pin.app}" declares no image "${pin.image}"` : `no app "${pin.app}" is deployed to ${env.name}`}`,
        hint: 'remove the pin, or fix the spelling of the app or image name',
      });
    }
  }
}
