/** Renders one environment in memory: apps + overlay → the bytes of every file under dist/<env>/. */
import { ApiObject, App, Chart } from 'cdk8s';
import type { LoadedApp } from '../apps/load-apps.ts';
import { locateInSource } from '../apps/load-apps.ts';
import { ConfigError, type SourcePosition } from '../config/config-error.ts';
import type { Environment } from '../config/load-environment.ts';
import { FLUX_FOLDER, imageAutomationObjects } from '../flux/image-automation-objects.ts';
import { emitYaml, type MarkedValues } from './emit-yaml.ts';
import { createAppContext } from './environment-context.ts';
import { findFluxStyleViolations } from './flux-style-guard.ts';
import { deriveSequenceIndentStyle } from './sequence-indent-style.ts';

/** The rendered content of `dist/<env>/`: paths relative to it, sorted, mapped to file bytes. */
export interface RenderedEnvironment {
  readonly env: string;
  readonly files: ReadonlyMap<string, string>;
}

/** Name of the kustomization that lists every generated resource. */
export const KUSTOMIZATION_FILE = 'kustomization.yaml';

interface KubernetesObject {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: { readonly name: string; readonly namespace?: string };
}

/** Renders `env` with the apps deployed to it. Pure: no file system, no network. */
export function renderEnvironment(env: Environment, allApps: readonly LoadedApp[]): RenderedEnvironment {
  const apps = selectApps(env, allApps);
  checkPins(env, apps);
  const output = new EnvironmentOutput(env.name);
  for (const app of apps) {
    const { definition } = app;
    const chart = newChart(definition.name, env.namespace, { 'app.kubernetes.io/part-of': definition.name });
    const { context, markedValues } = createAppContext(env, definition.name, definition.images);
    definition.build(chart, context);
    for (const object of chart.toJson() as KubernetesObject[]) {
      const where = { file: app.file, ...locateInSource(app.source, object.metadata?.name ?? '') };
      output.add(definition.name, `app "${definition.name}"`, object, markedValues, where);
    }
  }
  const fluxObjects = imageAutomationObjects(env);
  if (fluxObjects.length > 0) {
    const chart = newChart(FLUX_FOLDER, env.flux.namespace, {});
    for (const object of fluxObjects) new ApiObject(chart, `${object.kind}-${object.metadata.name}`, object);
    const where = env.sources.environment.positionOf(['flux']);
    for (const object of chart.toJson() as KubernetesObject[]) output.add(FLUX_FOLDER, 'Flux image automation', object, new Map(), where);
  }
  return output.finish();
}

/**
 * A chart in an App of its own: Chart.toJson() resolves and validates its whole App, so sharing one
 * App between all charts would make rendering quadratic in the number of apps.
 */
function newChart(id: string, namespace: string, labels: Record<string, string>): Chart {
  return new Chart(new App({ outdir: '/nonexistent' }), id, {
    namespace,
    disableResourceNameHashes: true,
    labels: { ...labels, 'app.kubernetes.io/managed-by': 'manifold' },
  });
}

/** The files of one environment as they are rendered, with the checks every object must pass. */
class EnvironmentOutput {
  private readonly files = new Map<string, string>();
  private readonly owners = new Map<string, string>();

  constructor(private readonly env: string) {}

  /** Adds `object` as `<folder>/<kind>-<name>.yaml`; `owner` names who emits it in errors. */
  add(folder: string, owner: string, object: KubernetesObject, markedValues: MarkedValues, where: SourcePosition): void {
    const id = `${object.kind}/${object.metadata?.name}`;
    if (!object.metadata?.name) {
      throw new ConfigError({ ...where, message: `${owner} emits a ${object.kind} without a name`, hint: 'set metadata.name' });
    }
    const previous = this.owners.get(id);
    if (previous) {
      throw new ConfigError({
        ...where,
        message: `${id} is emitted twice in ${this.env} (by ${previous} and ${owner})`,
        hint: 'give one of the objects another name',
      });
    }
    this.owners.set(id, owner);
    const violation = findFluxStyleViolations(object as unknown as Record<string, unknown>)[0];
    if (violation) {
      throw new ConfigError({
        ...where,
        message: `${id} of ${owner} has a value Flux would reformat at ${violation.path}: ${violation.reason}`,
        hint: 'change the value so that it is plain single-line text, or move it into a ConfigMap file that carries no marker',
      });
    }
    const bytes = emitYaml([object], markedValues);
    if (containsSequence(object) && deriveSequenceIndentStyle(bytes) !== 'wide') {
      throw new ConfigError({
        ...where,
        message: `${id} of ${owner} would be re-indented by Flux (a block scalar looks like a compact sequence)`,
        hint: 'move the YAML-looking text into a field after the first list, or indent its lists',
      });
    }
    this.files.set(`${folder}/${object.kind.toLowerCase()}-${object.metadata.name}.yaml`, bytes);
  }

  /** The files sorted by path, with the kustomization that lists them. */
  finish(): RenderedEnvironment {
    const sorted = new Map([...this.files.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
    sorted.set(KUSTOMIZATION_FILE, emitYaml([kustomization([...sorted.keys()])]));
    return { env: this.env, files: sorted };
  }
}

function containsSequence(value: unknown): boolean {
  if (Array.isArray(value)) return value.length > 0;
  return typeof value === 'object' && value !== null && Object.values(value).some(containsSequence);
}

function kustomization(resources: readonly string[]): object {
  return { apiVersion: 'kustomize.config.k8s.io/v1beta1', kind: 'Kustomization', resources };
}

function selectApps(env: Environment, apps: readonly LoadedApp[]): LoadedApp[] {
  if (env.apps === undefined) return [...apps];
  return env.apps.map((name, index) => {
    const app = apps.find((candidate) => candidate.definition.name === name);
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

function checkPins(env: Environment, apps: readonly LoadedApp[]): void {
  const images = env.sources.images;
  for (const { definition } of apps) {
    for (const image of definition.images) {
      if (!env.pins.has(`${definition.name}/${image}`)) {
        throw new ConfigError({
          ...images.positionOf([definition.name]),
          message: `app "${definition.name}" uses image "${image}" but ${env.name} has no pin for it`,
          hint: `add ${definition.name}.${image}.ref to ${images.file}, or run: pnpm manifold pin ${env.name} ${definition.name}/${image}=<ref>`,
        });
      }
    }
  }
  for (const pin of env.pins.values()) {
    const app = apps.find((candidate) => candidate.definition.name === pin.app);
    if (!app?.definition.images.includes(pin.image)) {
      throw new ConfigError({
        ...images.positionOf([pin.app, pin.image], 'key'),
        message: `pin ${pin.app}/${pin.image} is not used: ${app ? `app "${pin.app}" declares no image "${pin.image}"` : `no app "${pin.app}" is deployed to ${env.name}`}`,
        hint: 'remove the pin, or fix the spelling of the app or image name',
      });
    }
  }
}
