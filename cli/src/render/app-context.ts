/** The context an app builds from, and the record of which values carry which Flux marker. */
import { type EnvironmentContext, EscSecret, type ImageField, type ImageRef, imagePolicyMarker, type WorkloadSize } from '@manifold/constructs/core';
import { AlteredPinnedValueError } from '../apps/run-app.ts';
import type { Environment, Pin } from '../config/load-environment.ts';
import { ConfigError } from '../errors/config-error.ts';
import { appSecretName, type SecretRequest } from '../esc/external-secrets.ts';
import { parsePropertyPath } from '../esc/property-path.ts';
import type { MarkerPlacement } from '../yaml/emit-yaml.ts';

/** The context, and how to turn what the app built into final values with their Flux markers. */
export interface AppBuildContext {
  readonly context: EnvironmentContext;
  /** The ESC secrets the app asked for, in the order it asked. */
  readonly secrets: readonly SecretRequest[];
  /**
   * Replaces the stand-ins for pinned values in one rendered object (in place) and returns where
   * the markers go: exactly the fields whose whole value came from `image()` or `imageField()`.
   */
  readonly resolvePinnedValues: (object: object) => MarkerPlacement[];
}

// Pinned values reach the app as private-use stand-ins, so that markers follow the field the value was
// put in, never another field that happens to hold the same text.
const STAND_IN = /\uE000([0-9]+)\uE001/g;
const WHOLE_STAND_IN = /^\uE000([0-9]+)\uE001$/;
const STAND_IN_CHARACTER = /[\uE000\uE001]/;

/**
 * Creates the context for one app in one environment. Full references of the app's movable pins
 * carry the pin's marker; derived fields carry theirs when the app asks for them with `imageField`.
 */
export function createAppContext(env: Environment, app: string, images: readonly string[]): AppBuildContext {
  const values: { readonly value: string; readonly marker: string | undefined }[] = [];
  const secrets: SecretRequest[] = [];
  const standIn = (pin: Pin, field: ImageField, value: string): string => {
    values.push({ value, marker: pin.policy ? imagePolicyMarker(pin.policy, field) : undefined });
    return `\uE000${values.length - 1}\uE001`;
  };
  const pinOf = (image: string): Pin => {
    if (!images.includes(image)) {
      throw new Error(`app "${app}" uses image "${image}" but does not declare it in images: [${images.join(', ')}]`);
    }
    const pin = env.pins.get(`${app}/${image}`);
    if (!pin) throw new Error(`no pin for ${app}/${image}; checked before building`);
    return pin;
  };
  const context: EnvironmentContext = {
    name: env.name,
    namespace: env.namespace,
    domain: env.domain,
    size(sizeClass: string): WorkloadSize {
      const size = env.sizes.get(sizeClass);
      if (!size) {
        throw new ConfigError({
          ...env.sources.environment.positionOf(['sizes']),
          message: `app "${app}" asks for size "${sizeClass}", which ${env.name} does not define`,
          hint: `add sizes.${sizeClass} with replicas, cpu and memory`,
        });
      }
      return size;
    },
    image(name: string): ImageRef {
      const pin = pinOf(name);
      return withValue(pin.ref, standIn(pin, 'full', pin.ref.value));
    },
    imageField(name: string, field: Exclude<ImageField, 'full'>): string {
      const pin = pinOf(name);
      const value = field === 'tag' ? pin.ref.tag : field === 'name' ? pin.ref.repository : pin.ref.digest;
      if (value === undefined) {
        throw new ConfigError({
          ...pin.position,
          message: `app "${app}" carries the digest of ${app}/${name}, but its pin has none`,
          hint: `pin the image by digest: pnpm manifold pin ${env.name} ${app}/${name}=<ref>`,
        });
      }
      return standIn(pin, field, value);
    },
    secret(key: string, escPath: string): EscSecret {
      if (!env.esc) throw new Error(`app "${app}" asks for the ESC secret "${escPath}", but ${env.name} has no esc: block in its environment.yaml`);
      if (!/^[-._a-zA-Z0-9]{1,253}$/.test(key)) throw new Error(`secret key "${key}" must be letters, digits, "-", "_" and "."`);
      parsePropertyPath(escPath);
      const existing = secrets.find((request) => request.key === key);
      if (existing && existing.escPath !== escPath)
        throw new Error(`secret key "${key}" is asked for from two ESC paths ("${existing.escPath}" and "${escPath}")`);
      if (!existing) secrets.push({ key, escPath });
      return new EscSecret(appSecretName(app), key, escPath);
    },
  };
  const resolve = (text: string): string => {
    const resolved = text.replace(STAND_IN, (_, index: string) => values[Number(index)]?.value ?? '');
    if (STAND_IN_CHARACTER.test(resolved)) throw new AlteredPinnedValueError('a pinned image value was altered by the app; pass it on as it is');
    return resolved;
  };
  const resolvePinnedValues = (object: object): MarkerPlacement[] => {
    const markers: MarkerPlacement[] = [];
    const path: (string | number)[] = [];
    const visit = (node: Record<string | number, unknown>): void => {
      for (const key of Object.keys(node)) {
        const value = node[key];
        const slot = Array.isArray(node) ? Number(key) : key;
        if (typeof value === 'string') {
          if (value.charCodeAt(0) === 0xe000 && WHOLE_STAND_IN.test(value)) {
            const pinned = values[Number(value.slice(1, -1))];
            node[key] = pinned?.value ?? value;
            if (pinned?.marker) markers.push({ path: [...path, slot], marker: pinned.marker });
          } else if (STAND_IN_CHARACTER.test(value)) {
            node[key] = resolve(value);
          }
        } else if (typeof value === 'object' && value !== null) {
          path.push(slot);
          visit(value as Record<string, unknown>);
          path.pop();
        }
        if (!Array.isArray(node) && STAND_IN_CHARACTER.test(key)) {
          const renamed = resolve(key);
          node[renamed] = node[key];
          delete node[key];
        }
      }
    };
    visit(object as Record<string, unknown>);
    return markers;
  };
  return { context, secrets, resolvePinnedValues };
}

/** A copy of `ref` whose `value` is `value` (the stand-in); its parts stay the pin's. */
function withValue(ref: ImageRef, value: string): ImageRef {
  return Object.freeze(Object.assign(Object.create(Object.getPrototypeOf(ref) as object) as ImageRef, ref, { value }));
}
