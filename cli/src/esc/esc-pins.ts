/**
 * Where each pin of an environment lives in its ESC environment, reading pins from evaluated ESC
 * values (refusing secrets: they would end up in git) and writing pins into a definition while
 * keeping every other key, comment and import as it is.
 */
import { ImageRef, InvalidImageRefError, type TaggedImageRef } from '@manifold/constructs/core';
import type { Value } from '@pulumi/esc-sdk';
import { isMap, isScalar, isSeq, parseDocument } from 'yaml';
import type { EscSettings } from '../config/environment-schema.ts';
import type { Environment, Pin } from '../config/load-environment.ts';
import { ConfigError, type SourcePosition } from '../errors/config-error.ts';
import { type PathSegment, parsePropertyPath } from './property-path.ts';

/** Where one pin lives: one property with the whole reference, or a repository (or ref) and a tag. */
export type EscLocation =
  | { readonly kind: 'whole'; readonly path: string }
  | { readonly kind: 'split'; readonly name: string; readonly nameHolds: 'repository' | 'ref'; readonly tag: string };

/** The ESC location of every pin of `env` (settings must exist), keyed `<app>/<image>`. */
export function escLocations(env: Environment, settings: EscSettings): Map<string, EscLocation> {
  const where = env.sources.environment.positionOf(['esc', 'images']);
  for (const key of Object.keys(settings.images)) {
    if (!env.pins.has(key)) {
      throw new ConfigError({
        ...where,
        message: `esc.images names "${key}", which is not a pin of ${env.name}`,
        hint: `pins: ${[...env.pins.keys()].join(', ')}`,
      });
    }
  }
  const locations = new Map<string, EscLocation>();
  for (const pin of env.pins.values()) {
    const key = `${pin.app}/${pin.image}`;
    const mapped = settings.images[key];
    const location: EscLocation =
      mapped === undefined
        ? { kind: 'whole', path: `${settings.prefix}.${pin.app}.${pin.image}` }
        : typeof mapped === 'string'
          ? { kind: 'whole', path: mapped }
          : 'repository' in mapped
            ? { kind: 'split', name: mapped.repository, nameHolds: 'repository', tag: mapped.tag }
            : { kind: 'split', name: mapped.ref, nameHolds: 'ref', tag: mapped.tag };
    for (const path of location.kind === 'whole' ? [location.path] : [location.name, location.tag]) {
      try {
        parsePropertyPath(path);
      } catch (error) {
        const at = mapped === undefined ? env.sources.environment.positionOf(['esc', 'prefix']) : env.sources.environment.positionOf(['esc', 'images', key]);
        throw new ConfigError({ ...at, message: (error as Error).message, hint: 'write paths like a.b, a["b-c"] or a[0]' });
      }
    }
    locations.set(key, location);
  }
  return locations;
}

/** An image reference read from ESC, before any registry lookup. */
export interface EscImage {
  readonly key: string;
  readonly ref: TaggedImageRef;
  /** Where in ESC it came from, for messages. */
  readonly from: string;
}

/**
 * The reference ESC holds for each pin that has a value there (pins without one are skipped and
 * listed). Throws a ConfigError for a secret or malformed value.
 */
export function readEscImages(
  properties: Readonly<Record<string, Value>>,
  locations: ReadonlyMap<string, EscLocation>,
  escName: string,
  where: SourcePosition,
): { images: EscImage[]; missing: string[] } {
  const images: EscImage[] = [];
  const missing: string[] = [];
  for (const [key, location] of locations) {
    const paths = location.kind === 'whole' ? [location.path] : [location.name, location.tag];
    const values = paths.map((path) => readString(properties, path, escName, where));
    if (values.some((value) => value === undefined)) {
      missing.push(key);
      continue;
    }
    const [first = '', tag = ''] = values as string[];
    const text =
      location.kind === 'whole' ? first : location.nameHolds === 'repository' ? `${first}:${tag}` : first.includes('@') ? first : replaceTag(first, tag);
    try {
      images.push({ key, ref: ImageRef.parseTagged(text), from: `${escName} ${paths.join(' + ')}` });
    } catch (error) {
      if (!(error instanceof InvalidImageRefError)) throw error;
      throw new ConfigError({ ...where, message: `ESC ${escName} ${paths.join(' + ')}: ${error.message}`, hint: error.hint });
    }
  }
  return { images, missing };
}

function replaceTag(ref: string, tag: string): string {
  const parsed = ImageRef.parse(ref);
  return `${parsed.repository}:${tag}`;
}

/** The string at `path`, undefined when absent; a secret or a non-string is an error. */
function readString(properties: Readonly<Record<string, Value>>, path: string, escName: string, where: SourcePosition): string | undefined {
  let node: Value | undefined;
  let container: unknown = properties;
  for (const segment of parsePropertyPath(path)) {
    node =
      typeof segment === 'number'
        ? Array.isArray(container)
          ? (container[segment] as Value | undefined)
          : undefined
        : (container as Record<string, Value> | undefined)?.[segment];
    if (!node || typeof node !== 'object') return undefined;
    if (node.secret) {
      throw new ConfigError({
        ...where,
        message: `ESC ${escName} ${path} is a secret; an image reference pulled from it would be written to git`,
        hint: 'keep image references in plain (non-secret) ESC values',
      });
    }
    container = node.value;
  }
  if (container === undefined || container === null) return undefined;
  if (typeof container !== 'string') {
    throw new ConfigError({
      ...where,
      message: `ESC ${escName} ${path} holds ${Array.isArray(container) ? 'a list' : typeof container}, not an image reference`,
      hint: 'point the mapping at a string value',
    });
  }
  return container;
}

/** Whether `path` holds a value in the evaluated `properties`, and whether ESC marks it secret. */
export function escValueKind(properties: Readonly<Record<string, Value>>, path: string): 'missing' | 'secret' | 'plain' {
  let container: unknown = properties;
  let secret = false;
  for (const segment of parsePropertyPath(path)) {
    const node =
      typeof segment === 'number'
        ? Array.isArray(container)
          ? (container[segment] as Value | undefined)
          : undefined
        : (container as Record<string, Value> | undefined)?.[segment];
    if (!node || typeof node !== 'object') return 'missing';
    secret ||= node.secret === true;
    container = node.value;
  }
  if (container === undefined || container === null) return 'missing';
  return secret ? 'secret' : 'plain';
}

/** What a push writes for one pin: path → value. */
export function escValuesOf(pin: Pin, location: EscLocation): [string, string][] {
  if (location.kind === 'whole') return [[location.path, pin.ref.value]];
  const name = location.nameHolds === 'repository' ? pin.ref.repository : `${pin.ref.repository}:${pin.ref.tag}`;
  // The tag carries the digest, so a stack that reads repository + tag deploys the pinned content.
  const tag = pin.ref.digest ? `${pin.ref.tag}@${pin.ref.digest}` : pin.ref.tag;
  return [
    [location.name, name],
    [location.tag, tag],
  ];
}

/**
 * `yaml` (an ESC definition) with `values.<path>` set to each value, every other key, comment and
 * import kept. Returns the same text when nothing changes.
 */
export function writeDefinitionValues(yaml: string, assignments: readonly [string, string][]): string {
  const document = parseDocument(yaml);
  if (document.errors.length > 0) throw new Error(`the ESC definition is not valid YAML: ${document.errors[0]?.message.split('\n')[0]}`);
  if (!isMap(document.contents)) document.contents = document.createNode({}) as unknown as typeof document.contents;
  let changed = false;
  for (const [path, value] of assignments) {
    const segments: PathSegment[] = ['values', ...parsePropertyPath(path)];
    const existing = document.getIn(segments, true);
    if (isScalar(existing) && existing.value === value) continue;
    if (existing !== undefined && !isScalar(existing) && (isMap(existing) || isSeq(existing))) {
      throw new Error(`ESC values.${path} is a ${isMap(existing) ? 'map' : 'list'}; a pin needs a plain value there`);
    }
    if (isScalar(existing)) existing.value = value;
    else document.setIn(segments, value);
    changed = true;
  }
  return changed ? document.toString({ lineWidth: 0 }) : yaml;
}
