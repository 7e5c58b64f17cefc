/**
 * What makes a cluster sync dist/<env>: the environment's Namespace (inside dist/<env>, first to
 * apply), and, when the environment names its repository, the objects that point Argo CD or Flux at
 * dist/<env> — written to dist/<env>/_delivery/ with a kustomization of their own, so they are applied
 * once by hand (`kubectl apply -k dist/<env>/_delivery`) or by an app of apps, and never by the sync
 * they set up (dist/<env>/kustomization.yaml does not list them).
 */
import type { Environment } from '../config/load-environment.ts';
import { argoProject, fluxTenancy, type PlacedObject, tenantName } from './sync-permissions.ts';

/** Folder of the sync objects inside dist/<env>/. */
export const DELIVERY_FOLDER = '_delivery';
/** Folder of the environment-wide objects (the Namespace) inside dist/<env>/. */
export const ENVIRONMENT_FOLDER = '_environment';
/** Argo CD applies lower waves first: the Namespace before everything in it. */
const SYNC_WAVE = 'argocd.argoproj.io/sync-wave';

/**
 * The Namespace of `env`, labelled with the Pod Security Standard synth enforces: enforced, audited
 * and warned about by the admission controller under the policy of the release the environment
 * targets (the version synth checked against), so a newer cluster does not change the rules.
 */
export function namespaceObject(env: Environment): object {
  const version = `v${env.kubernetesVersion}`;
  const podSecurity = Object.fromEntries(
    ['enforce', 'audit', 'warn'].flatMap((mode) => [
      [`pod-security.kubernetes.io/${mode}`, env.podSecurity],
      [`pod-security.kubernetes.io/${mode}-version`, version],
    ]),
  );
  return {
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: {
      name: env.namespace,
      annotations: { [SYNC_WAVE]: '-1' },
      labels: { ...podSecurity, 'manifold.dev/environment': env.name },
    },
  };
}

/** The name of the Argo CD Application or Flux Kustomization that syncs `env`. */
export function syncObjectName(env: Environment): string {
  return `manifold-${env.name}`;
}

/** The sync objects of `env` (empty without `delivery.repository`), each with the namespace it lives in. */
export function deliveryObjects(env: Environment, imageAutomation: boolean): PlacedObject[] {
  const delivery = env.delivery;
  if (!delivery.repository) return [];
  const objects: PlacedObject[] = [];
  const path = `dist/${env.name}`;
  const needsGitRepository = delivery.tool === 'flux' || imageAutomation;
  if (needsGitRepository) {
    // The source Flux clones: the Kustomization reads from it and the ImageUpdateAutomation pushes to it.
    objects.push({
      namespace: env.flux.namespace,
      object: {
        apiVersion: 'source.toolkit.fluxcd.io/v1',
        kind: 'GitRepository',
        metadata: { name: env.flux.gitRepository },
        spec: { interval: '1m', url: delivery.repository, ref: { branch: delivery.branch }, secretRef: { name: delivery.gitSecret } },
      },
    });
  }
  if (delivery.tool === 'argocd') {
    const { argocd } = delivery;
    // Without a project of the team's own, the environment gets one that confines it.
    if (argocd.project === undefined) objects.push(argoProject(env, imageAutomation, delivery.repository));
    objects.push({
      namespace: argocd.namespace,
      object: {
        apiVersion: 'argoproj.io/v1alpha1',
        kind: 'Application',
        metadata: { name: syncObjectName(env), finalizers: ['resources-finalizer.argocd.argoproj.io'] },
        spec: {
          project: argocd.project ?? tenantName(env),
          source: { repoURL: delivery.repository, targetRevision: delivery.branch, path },
          destination: { ...(argocd.cluster ? { name: argocd.cluster } : { server: argocd.server }), namespace: env.namespace },
          syncPolicy: {
            ...(argocd.automated ? { automated: { prune: argocd.prune, selfHeal: argocd.selfHeal } } : {}),
            syncOptions: argocd.syncOptions,
          },
        },
      },
    });
  } else {
    const { flux } = delivery;
    // The Namespace first: the RoleBindings in it are applied with it, before the first sync.
    objects.push({ object: namespaceObject(env) }, ...fluxTenancy(env, imageAutomation));
    objects.push({
      namespace: env.flux.namespace,
      object: {
        apiVersion: 'kustomize.toolkit.fluxcd.io/v1',
        kind: 'Kustomization',
        metadata: { name: syncObjectName(env) },
        spec: {
          interval: flux.interval,
          timeout: flux.timeout,
          sourceRef: { kind: 'GitRepository', name: env.flux.gitRepository },
          path: `./${path}`,
          prune: flux.prune,
          wait: flux.wait,
          serviceAccountName: tenantName(env),
          ...(flux.kubeConfigSecret ? { kubeConfig: { secretRef: { name: flux.kubeConfigSecret } } } : {}),
        },
      },
    });
  }
  return objects;
}
