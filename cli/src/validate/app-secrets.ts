/**
 * An app reaches only its own secrets: the Secret its ESC secrets are synced into (`<app>-esc`) and
 * Secrets it writes itself. The External Secrets objects that read ESC are Manifold's to write (one
 * SecretStore per app, with the app's own token), so an app cannot point a store of its own, or
 * another app's, at ESC paths it did not declare; and its pods cannot mount another app's Secret or
 * an ESC token, though they share a namespace.
 */
import { appSecretName, ESC_CONSTRUCTS } from '../esc/external-secrets.ts';
import { podSpecOf } from './pod-spec.ts';

type Fields = Record<string, unknown>;

/** Why one of an app's objects reaches beyond the app's own secrets. */
export interface AppSecretRefusal {
  /** Index of the object in the list given. */
  readonly index: number;
  /** JSON path of the field, or '' for the whole object. */
  readonly path: string;
  readonly message: string;
  readonly hint: string;
}

/** The first of `objects` (an app's, with the construct paths that made them) that reaches beyond the app's own secrets. */
export function appSecretRefusal(app: string, objects: readonly { readonly object: Fields; readonly constructPath: string }[]): AppSecretRefusal | undefined {
  const manifolds = new Set(Object.values(ESC_CONSTRUCTS).map((id) => `${app}/${id}`));
  const own = new Set([appSecretName(app)]);
  for (const { object } of objects) {
    const metadata = object.metadata as { name?: unknown } | undefined;
    if (object.apiVersion === 'v1' && object.kind === 'Secret' && typeof metadata?.name === 'string') own.add(metadata.name);
  }
  for (const [index, { object, constructPath }] of objects.entries()) {
    if (String(object.apiVersion).startsWith('external-secrets.io/') && !manifolds.has(constructPath)) {
      return {
        index,
        path: 'kind',
        message: `an app may not write External Secrets objects itself: a ${String(object.kind)} could read ESC paths it did not declare`,
        hint: "ask for each secret with env.secret('<KEY>', '<esc path>'): Manifold writes the ExternalSecret and the app's own SecretStore",
      };
    }
    for (const { path, name } of secretReferences(object)) {
      if (own.has(name)) continue;
      return {
        index,
        path,
        message: `reads the Secret ${name}, which is not app "${app}"'s own`,
        hint: `an app reads its ESC secrets (env.secret, synced into ${appSecretName(app)}) and the Secrets it writes; another app's secrets and the ESC tokens stay theirs`,
      };
    }
  }
  return undefined;
}

/** Every Secret the pods of `object` read: secret and projected volumes, env and envFrom. */
function secretReferences(object: Fields): { readonly path: string; readonly name: string }[] {
  const pod = podSpecOf(object);
  if (!pod) return [];
  const found: { path: string; name: string }[] = [];
  const add = (path: string, name: unknown) => {
    if (typeof name === 'string') found.push({ path: `${pod.path}.${path}`, name });
  };
  for (const [index, volume] of list(pod.spec.volumes).entries()) {
    add(`volumes[${index}].secret.secretName`, fields(fields(volume).secret).secretName);
    for (const [source, projected] of list(fields(fields(volume).projected).sources).entries())
      add(`volumes[${index}].projected.sources[${source}].secret.name`, fields(fields(projected).secret).name);
  }
  for (const containers of ['initContainers', 'containers', 'ephemeralContainers']) {
    for (const [index, container] of list(pod.spec[containers]).entries()) {
      for (const [variable, entry] of list(fields(container).env).entries())
        add(`${containers}[${index}].env[${variable}].valueFrom.secretKeyRef.name`, fields(fields(fields(entry).valueFrom).secretKeyRef).name);
      for (const [source, entry] of list(fields(container).envFrom).entries())
        add(`${containers}[${index}].envFrom[${source}].secretRef.name`, fields(fields(entry).secretRef).name);
    }
  }
  return found;
}

function fields(value: unknown): Fields {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Fields) : {};
}

function list(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}
