/** Flux image-policy markers (`# {"$imagepolicy": "ns:policy[:field]"}`) and the policy names they carry. */
import { createHash } from 'node:crypto';

/** The part of a pinned reference a field carries; `full` is `repository:tag[@digest]`. */
export type ImageField = 'full' | 'tag' | 'digest' | 'name';

/** Identifies the Flux ImagePolicy that may move one pin. */
export interface ImagePolicyKey {
  /** Namespace of the ImagePolicy, which must be the ImageUpdateAutomation's own. */
  readonly namespace: string;
  /** Name of the ImagePolicy. */
  readonly name: string;
}

const MAX_DNS_LABEL = 63;

/**
 * The comment text (without the leading `#`) Flux reads as a setter marker.
 * The JSON is written exactly as Flux documents it, so its bytes never change under a rewrite.
 */
export function imagePolicyMarker(policy: ImagePolicyKey, field: ImageField): string {
  const suffix = field === 'full' ? '' : `:${field}`;
  return ` {"$imagepolicy": "${policy.namespace}:${policy.name}${suffix}"}`;
}

/** A deterministic DNS-1123 policy name for one image of one app in one environment. */
export function imagePolicyName(env: string, app: string, image: string): string {
  return stableDnsLabel(env, app, image);
}

/**
 * A deterministic DNS-1123 label from `parts` joined by `-`, anything else folded to `-`. Labels
 * longer than 63 characters are shortened and suffixed with a hash of the parts so they stay unique.
 */
export function stableDnsLabel(...parts: string[]): string {
  const full = parts
    .join('-')
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/-+/g, '-')
    .replace(/^-|-$/g, '');
  if (full.length <= MAX_DNS_LABEL) return full;
  const hash = createHash('sha256').update(parts.join('\0')).digest('hex').slice(0, 8);
  return `${full.slice(0, MAX_DNS_LABEL - hash.length - 1).replace(/-+$/, '')}-${hash}`;
}
