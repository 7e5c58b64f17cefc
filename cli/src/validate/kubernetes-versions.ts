/**
 * Which built-in API versions a Kubernetes release serves, for the `kubernetesVersion` an environment
 * deploys to: an object of an API version that release no longer serves (or does not serve yet) is
 * refused at synth, as its API server would refuse it. Only the API versions Kubernetes serves by
 * default are listed (GA ones, and betas served before 1.24 made new betas opt-in), from the
 * Kubernetes deprecation and release notes. Field schemas come from `kubernetes-models` (one schema per
 * kind, the newest), see object-schemas.ts.
 */

/** An API version (whole `group/version`, or one kind of it) served from `since` and until before `removedIn`. */
interface ServedRange {
  readonly apiVersion: string;
  /** Only this kind of the API version (others of it follow their own rule, or none). */
  readonly kind?: string;
  readonly since?: number;
  readonly removedIn?: number;
}

/** Minor versions of 1.x. */
const SERVED: readonly ServedRange[] = [
  // Removed in 1.25.
  { apiVersion: 'batch/v1beta1', removedIn: 25 },
  { apiVersion: 'discovery.k8s.io/v1beta1', removedIn: 25 },
  { apiVersion: 'events.k8s.io/v1beta1', removedIn: 25 },
  { apiVersion: 'autoscaling/v2beta1', removedIn: 25 },
  { apiVersion: 'policy/v1beta1', removedIn: 25 },
  { apiVersion: 'node.k8s.io/v1beta1', removedIn: 25 },
  // Removed in 1.26 and 1.27.
  { apiVersion: 'flowcontrol.apiserver.k8s.io/v1beta1', removedIn: 26 },
  { apiVersion: 'autoscaling/v2beta2', removedIn: 26 },
  { apiVersion: 'storage.k8s.io/v1beta1', kind: 'CSIStorageCapacity', removedIn: 27 },
  // Flow control: v1beta2 removed in 1.29, v1 from 1.29, v1beta3 removed in 1.32.
  { apiVersion: 'flowcontrol.apiserver.k8s.io/v1beta2', removedIn: 29 },
  { apiVersion: 'flowcontrol.apiserver.k8s.io/v1', since: 29 },
  { apiVersion: 'flowcontrol.apiserver.k8s.io/v1beta3', removedIn: 32 },
  // Added as GA.
  { apiVersion: 'admissionregistration.k8s.io/v1', kind: 'ValidatingAdmissionPolicy', since: 30 },
  { apiVersion: 'admissionregistration.k8s.io/v1', kind: 'ValidatingAdmissionPolicyBinding', since: 30 },
  { apiVersion: 'networking.k8s.io/v1', kind: 'IPAddress', since: 33 },
  { apiVersion: 'networking.k8s.io/v1', kind: 'ServiceCIDR', since: 33 },
  { apiVersion: 'resource.k8s.io/v1', since: 34 },
  { apiVersion: 'storage.k8s.io/v1', kind: 'VolumeAttributesClass', since: 34 },
  // Long removed: extensions/v1beta1 and the old apps betas (1.16), networking.k8s.io/v1beta1 (1.22).
  { apiVersion: 'extensions/v1beta1', removedIn: 16 },
  { apiVersion: 'apps/v1beta1', removedIn: 16 },
  { apiVersion: 'apps/v1beta2', removedIn: 16 },
  { apiVersion: 'networking.k8s.io/v1beta1', removedIn: 22 },
];

/** Why Kubernetes `version` (`1.NN`) does not serve `apiVersion` `kind`, or undefined when it does (or Manifold does not know). */
export function unservedReason(apiVersion: string, kind: string, version: string): string | undefined {
  const minor = Number(version.split('.')[1]);
  const rule =
    SERVED.find((range) => range.apiVersion === apiVersion && range.kind === kind) ?? SERVED.find((range) => range.apiVersion === apiVersion && !range.kind);
  if (!rule) return undefined;
  if (rule.removedIn !== undefined && minor >= rule.removedIn)
    return `Kubernetes ${version} does not serve ${apiVersion} ${kind}: it was removed in 1.${rule.removedIn}`;
  if (rule.since !== undefined && minor < rule.since)
    return `Kubernetes ${version} does not serve ${apiVersion} ${kind} yet: it is served from 1.${rule.since}`;
  return undefined;
}
