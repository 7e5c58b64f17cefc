/** The Kubernetes release an environment deploys to (`kubernetesVersion` in environment.yaml). */

/** The releases Manifold knows the served API versions of (validate/kubernetes-versions.ts), oldest first. */
export const KNOWN_KUBERNETES_VERSIONS = ['1.28', '1.29', '1.30', '1.31', '1.32', '1.33', '1.34', '1.35'] as const;

/** A release of {@link KNOWN_KUBERNETES_VERSIONS}. */
export type KubernetesVersion = (typeof KNOWN_KUBERNETES_VERSIONS)[number];

/** What an environment deploys to unless it says: the release cdk8s-plus-28's objects are written for. */
export const DEFAULT_KUBERNETES_VERSION: KubernetesVersion = '1.28';
