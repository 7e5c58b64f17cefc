/** The context an app builds from, and the record of which values carry which Flux marker. */
import { type EnvironmentContext, type ImageField, type ImageRef, imagePolicyMarker, type WorkloadSize } from '@manifold/constructs';
import { ConfigError } from '../config/config-error.ts';
import type { Environment, Pin } from '../config/load-environment.ts';

/** The context plus the marked values collected while the app builds. */
export interface AppBuildContext {
  readonly context: EnvironmentContext;
  readonly markedValues: ReadonlyMap<string, string>;
}

/**
 * Creates the context for one app in one environment. Full references of the app's movable pins
 * are always marked; derived fields are marked when the app asks for them with `imageField`.
 */
export function createAppContext(env: Environment, app: string, images: readonly string[]): AppBuildContext {
  const markedValues = new Map<string, string>();
  const pinOf = (image: string): Pin => {
    if (!images.includes(image)) {
      throw new Error(`app "${app}" uses image "${image}" but does not declare it in images: [${images.join(', ')}]`);
    }
    const pin = env.pins.get(`${app}/${image}`);
    if (!pin) throw new Error(`no pin for ${app}/${image}; checked before building`);
    return pin;
  };
  const mark = (pin: Pin, field: ImageField, value: string): void => {
    if (!pin.policy) return;
    const marker = imagePolicyMarker(pin.policy, field);
    const existing = markedValues.get(value);
    if (existing !== undefined && existing !== marker) {
      throw new ConfigError({
        ...pin.position,
        message: `value "${value}" of ${app}/${pin.image} would carry two Flux markers (${existing.trim()} and ${marker.trim()})`,
        hint: 'give the images distinct tags, or carry the digest instead of the tag',
      });
    }
    markedValues.set(value, marker);
  };
  for (const image of images) {
    const pin = env.pins.get(`${app}/${image}`);
    if (pin) mark(pin, 'full', pin.ref.value);
  }
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
      return pinOf(name).ref;
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
      mark(pin, field, value);
      return value;
    },
  };
  return { context, markedValues };
}
