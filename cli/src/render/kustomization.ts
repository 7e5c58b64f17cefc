/** The kustomization synth writes into dist/<env>/ (and its _delivery/ folder): the list of every generated resource. */

/** Name of the kustomization that lists every generated resource. */
export const KUSTOMIZATION_FILE = 'kustomization.yaml';

/** A Kustomization listing `resources` (paths relative to its folder). */
export function kustomization(resources: readonly string[]): object {
  return { apiVersion: 'kustomize.config.k8s.io/v1beta1', kind: 'Kustomization', resources };
}
