/**
 * Adoption: when a Flux commit moved marked values in dist/ but not the pins (for example because
 * its update.path covers only dist/), synth takes those values into images.yaml instead of
 * reverting them.
 */
import { ImageRef } from '@manifold/constructs/core';
import type { Environment, Pin } from '../config/load-environment.ts';
import { ranksAbove } from '../config/update-policy.ts';
import { ConfigError } from '../errors/config-error.ts';
import { movablePins } from '../flux/image-automation-objects.ts';
import { blankMarkedValues, findMarkedLines } from '../markers/setter-markers.ts';
import type { DistTree } from '../output/dist-tree.ts';
import { recordedOwnership } from '../output/write-dist.ts';
import type { RenderedEnvironment } from '../render/render-environment.ts';

/** A pin moved by Flux in dist/ that synth takes over. */
export interface Adoption {
  readonly pin: Pin;
  readonly from: string;
  readonly to: string;
  /** The dist files (relative to the repository) whose values showed the move. */
  readonly files: string[];
}

/**
 * The Flux updates sitting in the files synth owns in `tree` (dist/<env>/): files that differ from
 * `rendered` in marked values only, where the value is one the pin's policy ranks above the pin
 * (Flux only moves forward; an older value means the pin was moved, and the pin wins).
 * Throws when the files disagree about a pin.
 */
export function findFluxUpdates(env: Environment, rendered: RenderedEnvironment, tree: DistTree): Adoption[] {
  const pins = new Map(movablePins(env).map((pin) => [`${pin.policy?.namespace}:${pin.policy?.name}`, pin]));
  const seen = new Map<string, { parts: Map<string, string>; files: Set<string> }>();
  const owned = recordedOwnership(tree, rendered);
  for (const path of tree.keys()) {
    // Compared by hash where the tree knows it: the bytes of a file that did not change are never read.
    if (!rendered.files.has(path) || tree.holds(path, () => rendered.files.get(path) ?? '', rendered.hashes?.get(path)) || owned(path) === undefined) continue;
    const expected = rendered.files.get(path) ?? '';
    const text = tree.get(path)?.toString('utf8') ?? '';
    if (blankMarkedValues(expected) !== blankMarkedValues(text)) continue;
    for (const found of findMarkedLines(text)) {
      if (!found.marker || !pins.has(found.marker.policy)) continue;
      const entry = seen.get(found.marker.policy) ?? { parts: new Map(), files: new Set() };
      const value = found.value.replace(/^"(.*)"$/, '$1');
      const earlier = entry.parts.get(found.marker.field);
      if (earlier !== undefined && earlier !== value) {
        throw new ConfigError({
          file: `dist/${env.name}/${path}`,
          line: found.line,
          col: 1,
          message: `dist/ holds two values for ${found.marker.policy}${found.marker.field === 'full' ? '' : `:${found.marker.field}`}: "${earlier}" and "${value}"`,
          hint: 'let Flux finish its update, or run pnpm synth --force to discard the moved values',
        });
      }
      entry.parts.set(found.marker.field, value);
      entry.files.add(`dist/${env.name}/${path}`);
      seen.set(found.marker.policy, entry);
    }
  }
  const adoptions: Adoption[] = [];
  for (const [policy, { parts, files }] of seen) {
    const pin = pins.get(policy);
    if (!pin) continue;
    const to = adoptedRef(pin, parts);
    if (to !== pin.ref.value && pin.update && ranksAbove(pin.update, ImageRef.parseTagged(to).tag, pin.ref.tag)) {
      adoptions.push({ pin, from: pin.ref.value, to, files: [...files].sort() });
    }
  }
  return adoptions;
}

function adoptedRef(pin: Pin, parts: ReadonlyMap<string, string>): string {
  const full = parts.get('full');
  const digest = parts.has('digest') ? parts.get('digest') : pin.ref.digest;
  const composed = `${parts.get('name') ?? pin.ref.repository}:${parts.get('tag') ?? pin.ref.tag}${digest ? `@${digest}` : ''}`;
  const ref = full ?? composed;
  if (full !== undefined && (parts.has('tag') || parts.has('digest')) && full !== composed) {
    throw new ConfigError({
      ...pin.position,
      message: `dist/ disagrees about ${pin.app}/${pin.image}: the image says "${full}", its derived fields say "${composed}"`,
      hint: 'let Flux finish its update, or run pnpm synth --force to discard the moved values',
    });
  }
  try {
    ImageRef.parseTagged(ref);
  } catch {
    throw new ConfigError({
      ...pin.position,
      message: `Flux moved ${pin.app}/${pin.image} in dist/ to "${ref}", which is not a valid image reference`,
      hint: 'check the ImagePolicy in the cluster, or run pnpm synth --force to discard the moved values',
    });
  }
  return ref;
}
