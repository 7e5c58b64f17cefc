/** Pins against their ESC environment: which differ from it (pull, check), and writing them into it (push). */
import type { Environment } from '../config/load-environment.ts';
import { EscError } from './esc-error.ts';
import { type EscImage, escLocations, escValuesOf, writeDefinitionValues } from './esc-pins.ts';

/** How often a push reads and writes again after ESC answered that the definition changed meanwhile. */
const MAX_PUSH_ATTEMPTS = 4;

/**
 * The ESC images that differ from `env`'s pins: a digest-carrying value must equal the pin's reference,
 * a tag-only value the pin's repository and tag (the digest is then the registry's to give). Images
 * with no pin are left out.
 */
export function escDrift(env: Environment, images: readonly EscImage[]): EscImage[] {
  return images.filter(({ key, ref }) => {
    const pin = env.pins.get(key);
    return pin !== undefined && (ref.digest ? pin.ref.value !== ref.value : `${pin.ref.repository}:${pin.ref.tag}` !== ref.value);
  });
}

/** The part of the ESC client a push uses. */
export interface EscDefinitionStore {
  readonly name: string;
  readDefinition(): Promise<{ readonly yaml: string; readonly etag: string | undefined; readonly revision: string }>;
  writeDefinition(yaml: string, etag: string | undefined): Promise<{ revision: string }>;
}

/** What a push did: nothing (ESC holds every pin), a diff it would write (dry run), or a write. */
export type PushResult =
  | { readonly kind: 'current'; readonly revision: string }
  | { readonly kind: 'dry-run'; readonly before: string; readonly after: string }
  | { readonly kind: 'written'; readonly revision: string; readonly values: number };

/**
 * Writes every pin of `env` into its ESC definition (settings must exist), keeping every other key,
 * comment and import. Optimistic concurrency: each write is against the ETag read; on a conflict (409)
 * the definition is read and the values applied again, up to four attempts, `onRetry` told of each.
 */
export async function pushPins(
  env: Environment & { readonly esc: NonNullable<Environment['esc']> },
  store: EscDefinitionStore,
  options: { readonly dryRun?: boolean; readonly onRetry?: (attempt: number) => void } = {},
): Promise<PushResult> {
  const locations = escLocations(env, env.esc);
  const assignments = [...env.pins.values()].flatMap((pin) => escValuesOf(pin, locations.get(`${pin.app}/${pin.image}`) ?? { kind: 'whole', path: '' }));
  for (let attempt = 1; ; attempt++) {
    const definition = await store.readDefinition();
    let updated: string;
    try {
      updated = writeDefinitionValues(definition.yaml, assignments);
    } catch (error) {
      throw new EscError(`ESC ${store.name}: ${(error as Error).message}`, 'fix the ESC definition or the mapping in esc: of environment.yaml');
    }
    if (updated === definition.yaml) return { kind: 'current', revision: definition.revision };
    if (options.dryRun) return { kind: 'dry-run', before: definition.yaml, after: updated };
    try {
      const { revision } = await store.writeDefinition(updated, definition.etag);
      return { kind: 'written', revision, values: assignments.length };
    } catch (error) {
      if (!(error instanceof EscError) || error.status !== 409 || attempt >= MAX_PUSH_ATTEMPTS) throw error;
      options.onRetry?.(attempt + 1);
    }
  }
}
