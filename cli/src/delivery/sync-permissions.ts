/**
 * What an environment's sync may apply, from the same settings synth enforces on the objects: its own
 * namespace, Flux's namespace for the image automation objects when there are some, the namespaces and
 * cluster-scoped kinds its `allowed:` list names, and its own Namespace object. Argo CD gets an
 * AppProject whose destinations and cluster-resource whitelist say exactly that; Flux's Kustomization
 * impersonates a ServiceAccount whose RoleBindings and ClusterRole grant exactly that.
 */
import type { Environment } from '../config/load-environment.ts';
import { IMAGE_AUTOMATION_KINDS } from '../flux/image-automation-objects.ts';

/** An object with the namespace it is placed in (none: cluster-scoped); its own `metadata.namespace`, when set, is where it lives. */
export interface PlacedObject {
  readonly object: object;
  readonly namespace?: string;
}

/** The name of the AppProject, ServiceAccount and RBAC objects of `env`. */
export function tenantName(env: Environment): string {
  return `manifold-${env.name}`;
}

/** The namespaces the sync of `env` writes into: its own, Flux's when it has image automation, and the allowed ones. */
export function syncNamespaces(env: Environment, imageAutomation: boolean): string[] {
  return [...new Set([env.namespace, ...(imageAutomation ? [env.flux.namespace] : []), ...env.allowed.namespaces])];
}

/** The Argo CD AppProject that confines the environment's Application. */
export function argoProject(env: Environment, imageAutomation: boolean, repository: string): PlacedObject {
  const { argocd } = env.delivery;
  const cluster = argocd.cluster ? { name: argocd.cluster } : { server: argocd.server };
  return {
    namespace: argocd.namespace,
    object: {
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'AppProject',
      metadata: { name: tenantName(env) },
      spec: {
        description: `Manifold environment ${env.name}: its namespace and what overlays/${env.name}/environment.yaml allows`,
        sourceRepos: [repository],
        destinations: syncNamespaces(env, imageAutomation).map((namespace) => ({ ...cluster, namespace })),
        clusterResourceWhitelist: [{ group: '', kind: 'Namespace' }, ...env.allowed.clusterResources.map(({ group, kind }) => ({ group, kind }))],
      },
    },
  };
}

/**
 * The ServiceAccount Flux's Kustomization impersonates and what it may do: everything namespaced in
 * the environment's namespace and the allowed ones (a RoleBinding to `cluster-admin`, which grants
 * nothing beyond the binding's namespace), the image automation kinds in Flux's namespace, its own
 * Namespace by name, and the allowed cluster-scoped kinds.
 */
export function fluxTenancy(env: Environment, imageAutomation: boolean): PlacedObject[] {
  const name = tenantName(env);
  const subject = { kind: 'ServiceAccount', name, namespace: env.flux.namespace };
  const rbac = 'rbac.authorization.k8s.io';
  const objects: PlacedObject[] = [{ namespace: env.flux.namespace, object: { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name } } }];
  for (const namespace of [env.namespace, ...env.allowed.namespaces.filter((other) => other !== env.namespace)]) {
    // Placed as the environment's, with its namespace named: a binding in another namespace is written as rolebinding-<name>.<namespace>.yaml.
    objects.push({
      namespace: env.namespace,
      object: {
        apiVersion: `${rbac}/v1`,
        kind: 'RoleBinding',
        metadata: { name, namespace },
        roleRef: { apiGroup: rbac, kind: 'ClusterRole', name: 'cluster-admin' },
        subjects: [subject],
      },
    });
  }
  if (imageAutomation) {
    const automation = `${name}-image-automation`;
    const rules = [{ apiGroups: ['image.toolkit.fluxcd.io'], resources: IMAGE_AUTOMATION_KINDS.map(resourceOf), verbs: ['*'] }];
    objects.push(
      { namespace: env.flux.namespace, object: { apiVersion: `${rbac}/v1`, kind: 'Role', metadata: { name: automation }, rules } },
      {
        namespace: env.flux.namespace,
        object: {
          apiVersion: `${rbac}/v1`,
          kind: 'RoleBinding',
          metadata: { name: automation },
          roleRef: { apiGroup: rbac, kind: 'Role', name: automation },
          subjects: [subject],
        },
      },
    );
  }
  const clusterRules = [
    { apiGroups: [''], resources: ['namespaces'], resourceNames: [env.namespace], verbs: ['get', 'list', 'watch', 'patch', 'update'] },
    ...env.allowed.clusterResources.map(({ group, kind }) => ({ apiGroups: [group], resources: [resourceOf(kind)], verbs: ['*'] })),
  ];
  objects.push(
    { object: { apiVersion: `${rbac}/v1`, kind: 'ClusterRole', metadata: { name }, rules: clusterRules } },
    {
      object: {
        apiVersion: `${rbac}/v1`,
        kind: 'ClusterRoleBinding',
        metadata: { name },
        roleRef: { apiGroup: rbac, kind: 'ClusterRole', name },
        subjects: [subject],
      },
    },
  );
  return objects;
}

/** The resource (plural) of a kind, as Kubernetes derives it when a CRD does not say otherwise. */
export function resourceOf(kind: string): string {
  const singular = kind.toLowerCase();
  if (singular.endsWith('s')) return `${singular}es`;
  if (singular.endsWith('y')) return `${singular.slice(0, -1)}ies`;
  return `${singular}s`;
}
