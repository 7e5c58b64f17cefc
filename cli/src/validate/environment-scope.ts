/**
 * What an app may put into an environment: namespaced objects in the environment's own namespace.
 * A cluster-scoped kind reaches beyond the environment (a ClusterRoleBinding to cluster-admin, a
 * second Namespace labelled privileged), and so does an object in another namespace; both are refused
 * unless the environment's reviewed `allowed:` list names them. The same list bounds what the sync
 * objects may apply (Argo CD AppProject, Flux impersonation).
 */
import type { AllowedResources } from '../config/environment-schema.ts';

/** A kind as Kubernetes RBAC and Argo CD name it: its API group ('' for the core group) and kind. */
export interface GroupKind {
  readonly group: string;
  readonly kind: string;
}

/** The cluster-scoped kinds of Kubernetes itself (1.28 to 1.34), as `group/Kind` ('' group: `/Kind`). */
const CLUSTER_SCOPED = new Set([
  '/Namespace',
  '/Node',
  '/PersistentVolume',
  '/ComponentStatus',
  'rbac.authorization.k8s.io/ClusterRole',
  'rbac.authorization.k8s.io/ClusterRoleBinding',
  'storage.k8s.io/StorageClass',
  'storage.k8s.io/CSIDriver',
  'storage.k8s.io/CSINode',
  'storage.k8s.io/VolumeAttachment',
  'storage.k8s.io/VolumeAttributesClass',
  'apiextensions.k8s.io/CustomResourceDefinition',
  'apiregistration.k8s.io/APIService',
  'admissionregistration.k8s.io/ValidatingWebhookConfiguration',
  'admissionregistration.k8s.io/MutatingWebhookConfiguration',
  'admissionregistration.k8s.io/ValidatingAdmissionPolicy',
  'admissionregistration.k8s.io/ValidatingAdmissionPolicyBinding',
  'admissionregistration.k8s.io/MutatingAdmissionPolicy',
  'admissionregistration.k8s.io/MutatingAdmissionPolicyBinding',
  'scheduling.k8s.io/PriorityClass',
  'node.k8s.io/RuntimeClass',
  'networking.k8s.io/IngressClass',
  'networking.k8s.io/IPAddress',
  'networking.k8s.io/ServiceCIDR',
  'certificates.k8s.io/CertificateSigningRequest',
  'certificates.k8s.io/ClusterTrustBundle',
  'flowcontrol.apiserver.k8s.io/FlowSchema',
  'flowcontrol.apiserver.k8s.io/PriorityLevelConfiguration',
  'resource.k8s.io/DeviceClass',
  'resource.k8s.io/ResourceSlice',
]);

/** The API group of an `apiVersion` ('' for `v1`). */
export function groupOf(apiVersion: string): string {
  return apiVersion.includes('/') ? (apiVersion.split('/')[0] ?? '') : '';
}

/** Whether `kind` is cluster-scoped: one of Kubernetes' own, or a CRD of `schemas/` declared `scope: Cluster`. */
export function isClusterScoped(kind: GroupKind, clusterScopedCrds: ReadonlySet<string>): boolean {
  const key = `${kind.group}/${kind.kind}`;
  return CLUSTER_SCOPED.has(key) || clusterScopedCrds.has(key);
}

/** Why an app's object does not belong in the environment, and how to allow it. */
export interface ScopeRefusal {
  readonly message: string;
  readonly hint: string;
}

/** What an environment's objects are measured against. */
export interface EnvironmentScope {
  readonly name: string;
  readonly namespace: string;
  readonly allowed: AllowedResources;
}

/** The refusal of `object` (an app's) in `scope`, or undefined when it belongs there. */
export function scopeRefusal(
  object: { readonly apiVersion: string; readonly kind: string; readonly metadata?: { readonly name?: string; readonly namespace?: string } },
  scope: EnvironmentScope,
  clusterScopedCrds: ReadonlySet<string>,
): ScopeRefusal | undefined {
  const kind = { group: groupOf(object.apiVersion), kind: object.kind };
  const file = `overlays/${scope.name}/environment.yaml`;
  if (isClusterScoped(kind, clusterScopedCrds)) {
    if (kind.group === '' && kind.kind === 'Namespace' && object.metadata?.name === scope.namespace) {
      return {
        message: `is ${scope.name}'s own Namespace, which Manifold generates (dist/${scope.name}/_environment/, with its pod-security labels)`,
        hint: 'remove it from the app: the environment already has it',
      };
    }
    if (scope.allowed.clusterResources.some((allowed) => allowed.group === kind.group && allowed.kind === kind.kind)) return undefined;
    return {
      message: `is cluster-scoped: it would reach beyond ${scope.name}'s namespace ${scope.namespace}`,
      hint: `if the platform team means it, add { group: "${kind.group}", kind: ${kind.kind} } to allowed.clusterResources in ${file} (a reviewed file: see CODEOWNERS)`,
    };
  }
  const namespace = object.metadata?.namespace;
  if (namespace === undefined || namespace === scope.namespace || scope.allowed.namespaces.includes(namespace)) return undefined;
  return {
    message: `is in namespace ${namespace}, not in ${scope.name}'s namespace ${scope.namespace}`,
    hint: `leave metadata.namespace unset (the environment's namespace is used); if the platform team means it, add ${namespace} to allowed.namespaces in ${file}`,
  };
}

/** `object` without `metadata.namespace` when its kind is cluster-scoped (cdk8s gives every object of a chart its namespace). */
export function withoutNamespaceIfClusterScoped<T extends { readonly apiVersion: string; readonly kind: string; readonly metadata?: object }>(
  object: T,
  clusterScopedCrds: ReadonlySet<string>,
): T {
  const metadata = object.metadata as { namespace?: string } | undefined;
  if (metadata?.namespace === undefined || !isClusterScoped({ group: groupOf(object.apiVersion), kind: object.kind }, clusterScopedCrds)) return object;
  const { namespace: _namespace, ...rest } = metadata;
  return { ...object, metadata: rest };
}
