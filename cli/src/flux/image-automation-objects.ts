/**
 * Flux image automation objects (image.toolkit.fluxcd.io/v1) for one environment, from the same pins
 * that carry the markers: an ImageRepository per repository, an ImagePolicy per movable pin and one
 * ImageUpdateAutomation, all in the automation's namespace.
 */
import { stableDnsLabel } from '@manifold/constructs/core';
import type { Environment, Pin } from '../config/load-environment.ts';

/** Folder under dist/<env>/ holding the Flux objects; `_` keeps it apart from any app name. */
export const FLUX_FOLDER = '_flux';
/** Label that ties an environment's policies to its automation (`policySelector`). */
export const ENVIRONMENT_LABEL = 'manifold.dev/environment';

const API_VERSION = 'image.toolkit.fluxcd.io/v1';
/** The kinds of the image automation objects (all of group image.toolkit.fluxcd.io). */
export const IMAGE_AUTOMATION_KINDS = ['ImageRepository', 'ImagePolicy', 'ImageUpdateAutomation'] as const;

/**
 * The commit message of Flux's updates: one line per change, then the files (rendered by Go's
 * text/template in the controller; `commit-message.test.ts` shows the exact text).
 */
export const MESSAGE_TEMPLATE = `Update images in {{ .AutomationObject.Name }}

Changes:
{{ range $resource, $changes := .Changed.Objects -}}
{{ range $_, $change := $changes -}}
- {{ $change.OldValue }} -> {{ $change.NewValue }}
{{ end -}}
{{ end }}
Files:
{{ range $filename, $_ := .Changed.FileChanges -}}
- {{ $filename }}
{{ end -}}
`;

/** A Flux object as plain data, before serialisation. */
export interface FluxObject {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: { readonly name: string; readonly namespace: string; readonly labels: Record<string, string> };
  readonly spec: Record<string, unknown>;
}

/** The ImageRepository name for `repository` in `env`. */
export function imageRepositoryName(env: string, repository: string): string {
  return stableDnsLabel(env, repository);
}

/** Name of the environment's ImageUpdateAutomation. */
export function automationName(env: string): string {
  return stableDnsLabel('manifold', env);
}

/** The pins Flux may move: those with an update policy and no hold. */
export function movablePins(env: Environment): Pin[] {
  return [...env.pins.values()].filter((pin) => pin.policy !== undefined);
}

/** Every Flux object `env` needs; none when no pin may move. */
export function imageAutomationObjects(env: Environment): FluxObject[] {
  const pins = movablePins(env);
  if (pins.length === 0) return [];
  const { flux } = env;
  const metadata = (name: string) => ({ name, namespace: flux.namespace, labels: { [ENVIRONMENT_LABEL]: env.name } });
  // Named once per repository: the policies of its pins refer to it by name.
  const repositories = new Map(
    [...new Set(pins.map((pin) => pin.ref.repository))].sort().map((repository) => [repository, imageRepositoryName(env.name, repository)]),
  );
  const objects: FluxObject[] = [...repositories].map(([repository, name]) => ({
    apiVersion: API_VERSION,
    kind: 'ImageRepository',
    metadata: metadata(name),
    spec: {
      image: repository,
      interval: flux.scanInterval,
      ...(flux.registrySecret ? { secretRef: { name: flux.registrySecret } } : {}),
    },
  }));
  for (const pin of pins) objects.push(imagePolicy(env, pin, metadata(pin.policy?.name ?? ''), repositories.get(pin.ref.repository) ?? ''));
  objects.push({
    apiVersion: API_VERSION,
    kind: 'ImageUpdateAutomation',
    metadata: metadata(automationName(env.name)),
    spec: {
      interval: flux.interval,
      sourceRef: { kind: 'GitRepository', name: flux.gitRepository, namespace: flux.namespace },
      policySelector: { matchLabels: { [ENVIRONMENT_LABEL]: env.name } },
      git: {
        checkout: { ref: { branch: flux.branch } },
        commit: { author: { name: flux.author.name, email: flux.author.email }, messageTemplate: MESSAGE_TEMPLATE },
        push: { branch: flux.pushBranch },
      },
      update: { path: flux.updatePath, strategy: 'Setters' },
    },
  });
  return objects;
}

function imagePolicy(env: Environment, pin: Pin, metadata: FluxObject['metadata'], repositoryName: string): FluxObject {
  const update = pin.update;
  if (!update) throw new Error(`pin ${pin.app}/${pin.image} has no update policy`);
  const selection =
    update.semver !== undefined
      ? { policy: { semver: { range: update.semver } } }
      : {
          filterTags: { pattern: update.pattern, extract: update.extract },
          policy: { [update.sort ?? 'numerical']: { order: update.order } },
        };
  // Reflecting the digest is what makes Flux write repo:tag@sha256:…, the form the pin has.
  const digest = pin.ref.digest ? { digestReflectionPolicy: 'Always', interval: env.flux.digestInterval } : {};
  return {
    apiVersion: API_VERSION,
    kind: 'ImagePolicy',
    metadata,
    spec: { imageRepositoryRef: { name: repositoryName }, ...selection, ...digest },
  };
}
