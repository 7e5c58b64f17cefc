/** Which earlier reference a rollback sets a pin to: from the pin's git history, or from the registry. */
import { ImageRef, type TaggedImageRef } from '@manifold/constructs/core';
import type { Pin } from '../config/load-environment.ts';
import { ConfigError } from '../errors/config-error.ts';
import type { HistoricPin } from './pin-history.ts';

/** What a rollback asks for: so many distinct references back, or one named reference. */
export type RollbackRequest = { readonly steps: number } | { readonly to: TaggedImageRef };

/** Where a rollback's reference comes from: an entry of the history, or the registry (for its digest). */
export type RollbackTarget = { readonly ref: string; readonly commit?: string } | { readonly resolve: TaggedImageRef };

/**
 * The reference `pin` goes back to, given its `history` (newest first, as {@link pinHistory} lists it).
 * `steps` counts references other than the current one; `to` takes the history's entry with the same
 * reference (or, without a digest, the same repository and tag) when it carries a digest, and otherwise
 * asks for the registry. A {@link ConfigError} at the pin when the history is too short.
 */
export function rollbackTarget(pin: Pin, history: readonly HistoricPin[], request: RollbackRequest): RollbackTarget {
  const earlier = history.filter((entry) => entry.ref !== pin.ref.value);
  if ('to' in request) {
    const wanted = request.to;
    const known = earlier.find((entry) => {
      if (entry.ref === wanted.value) return true;
      const ref = ImageRef.parseTagged(entry.ref);
      return !wanted.digest && ref.repository === wanted.repository && ref.tag === wanted.tag;
    });
    if (known && (wanted.digest || ImageRef.parseTagged(known.ref).digest)) return known;
    return { resolve: wanted };
  }
  const chosen = earlier[request.steps - 1];
  if (chosen) return chosen;
  throw new ConfigError({
    ...pin.position,
    message: `the git history of ${pin.position.file} has ${earlier.length === 0 ? 'no earlier reference' : `only ${earlier.length} earlier reference(s)`} for ${pin.app}/${pin.image}`,
    hint: earlier.length === 0 ? 'give one with --to <ref>' : `use --steps ${earlier.length} or less, or --to <ref>`,
  });
}
