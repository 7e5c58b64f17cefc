/** Makes references immutable before they are pinned: resolves missing digests, verifies given ones. */
import { ImageRef, type TaggedImageRef } from '@manifold/constructs';
import type { RegistryClient } from '../registry/registry-client.ts';

/**
 * Each reference with its digest: resolved from the registry when missing, checked against it when
 * given (unless `verify` is false). All lookups run before any result is used, so one failure
 * stops the whole batch.
 */
export async function completeRefs(refs: readonly TaggedImageRef[], client: RegistryClient, verify: boolean): Promise<Map<string, TaggedImageRef>> {
  const unique = [...new Map(refs.map((ref) => [ref.value, ref])).values()];
  const completed = await Promise.all(
    unique.map(async (ref) => {
      if (!ref.digest) return ImageRef.parseTagged(`${ref.value}@${await client.resolveDigest(ref)}`);
      if (verify) await client.verifyDigest(ref);
      return ref;
    }),
  );
  return new Map(unique.map((ref, index) => [ref.value, completed[index] as TaggedImageRef]));
}
