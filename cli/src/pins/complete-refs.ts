/** Makes references immutable before they are pinned: resolves missing digests, verifies given ones. */
import { ImageRef, type TaggedImageRef } from '@manifold/constructs/core';
import type { RegistryClient } from '../registry/registry-client.ts';

/**
 * How a given digest is checked: `tag`, the tag must resolve to exactly it; `digest`, the registry must
 * hold content with it (the tag may have moved since); `none`, not at all.
 */
export type DigestCheck = 'tag' | 'digest' | 'none';

/**
 * Each reference with its digest: resolved from the registry when missing, checked against it when
 * given. All lookups run before any result is used, so one failure stops the whole batch.
 */
export async function completeRefs(refs: readonly TaggedImageRef[], client: RegistryClient, check: DigestCheck): Promise<Map<string, TaggedImageRef>> {
  const unique = [...new Map(refs.map((ref) => [ref.value, ref])).values()];
  const completed = await Promise.all(
    unique.map(async (ref) => {
      if (!ref.digest) return ImageRef.parseTagged(`${ref.value}@${await client.resolveDigest(ref)}`);
      if (check !== 'none') await client.verifyDigest(ref, check === 'digest');
      return ref;
    }),
  );
  return new Map(unique.map((ref, index) => [ref.value, completed[index] as TaggedImageRef]));
}
