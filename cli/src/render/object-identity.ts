/** How a Kubernetes object is known: API group, kind, namespace and name (two CRDs may share a kind). */

/** The fields that identify a Kubernetes object. */
export interface KubernetesObject {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: { readonly name: string; readonly namespace?: string };
}

/** `key` compares objects across API versions of a group; `label` names one for people (`apps/v1 Deployment acme-dev/web`). */
export function objectIdentity(object: KubernetesObject): { readonly key: string; readonly label: string } {
  const group = object.apiVersion.includes('/') ? object.apiVersion.split('/')[0] : '';
  const name = object.metadata.namespace ? `${object.metadata.namespace}/${object.metadata.name}` : object.metadata.name;
  return { key: `${group} ${object.kind} ${name}`, label: `${object.apiVersion} ${object.kind} ${name}` };
}
