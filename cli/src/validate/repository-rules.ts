/**
 * What Manifold refuses although the API server would take it: a Secret with literal values (they
 * would be committed to git) and a container image without a digest in an environment that requires
 * digests (an app that names an image itself instead of through its pins).
 */
import type { SchemaViolation } from './object-schemas.ts';

/** What the rules depend on besides the object. */
export interface RepositorySettings {
  /** The environment name, for messages. */
  readonly env: string;
  readonly requireDigests: boolean;
}

/** A violation of the rules, with what to do instead. */
export interface RepositoryViolation extends SchemaViolation {
  readonly hint: string;
}

const CONTAINER_LISTS = new Set(['containers', 'initContainers', 'ephemeralContainers']);

/** Every repository rule `object` breaks. */
export function repositoryViolations(object: Record<string, unknown>, settings: RepositorySettings): RepositoryViolation[] {
  const violations: RepositoryViolation[] = [];
  if (object.apiVersion === 'v1' && object.kind === 'Secret') {
    for (const field of ['data', 'stringData']) {
      const values = object[field];
      if (values && typeof values === 'object' && Object.keys(values).length > 0) {
        violations.push({
          path: field,
          message: `a Secret with literal ${field} would put its values into git`,
          hint: "read secrets from Pulumi ESC instead: env: { NAME: env.secret('NAME', '<esc path>') } renders an ExternalSecret",
        });
      }
    }
  }
  if (settings.requireDigests)
    findImages(object, [], (path, image) => {
      if (!/@sha256:[a-f0-9]{64}$/.test(image)) {
        violations.push({
          path,
          message: `image "${image}" has no digest, but ${settings.env} requires digests`,
          hint: "declare the image in the app's images and use env.image('<name>'): its pin in images.yaml carries the digest and Flux's marker",
        });
      }
    });
  return violations;
}

function findImages(value: unknown, path: readonly (string | number)[], found: (path: string, image: string) => void): void {
  if (Array.isArray(value)) {
    for (const [index, item] of value.entries()) findImages(item, [...path, index], found);
    return;
  }
  if (!value || typeof value !== 'object') return;
  for (const [key, child] of Object.entries(value)) {
    const parent = path.at(-2);
    if (key === 'image' && typeof child === 'string' && typeof parent === 'string' && CONTAINER_LISTS.has(parent)) {
      found(
        `${path
          .map((part) => (typeof part === 'number' ? `[${part}]` : `.${part}`))
          .join('')
          .slice(1)}.image`,
        child,
      );
    } else {
      findImages(child, [...path, key], found);
    }
  }
}
