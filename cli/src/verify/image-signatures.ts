/**
 * Verify before pin: the signatures a registry holds for a digest — Sigstore bundles attached as OCI
 * referrers (found through the referrers API or its tag-schema fallback) and cosign's tag format —
 * checked against the environment's `verify:` rule for the image. A digest no signature vouches for is
 * refused, naming why each fell short.
 */
import { createHash, createPublicKey, type KeyObject } from 'node:crypto';
import { ImageRef } from '@manifold/constructs/core';
import { TrustedRoot } from '@sigstore/protobuf-specs';
import { toTrustMaterial } from '@sigstore/verify';
import type { PinEvidence } from '../config/images-schema.ts';
import type { Environment, Verification } from '../config/load-environment.ts';
import type { PinEdit } from '../config/pin-edits.ts';
import { ruleFor, type VerifyRule } from '../config/verify-policy.ts';
import { EXIT, ManifoldError } from '../errors/manifold-error.ts';
import type { Descriptor, RegistryClient } from '../registry/registry-client.ts';
import { COSIGN_SIGNATURE_PREDICATE, checkSignature, type FoundSignature, type RuleTrust, type SignatureEvidence } from './bundle-check.ts';
import { cosignTagSignatures } from './cosign-tag-signatures.ts';
import { VerificationCache } from './verification-cache.ts';

/** The artifact type of a Sigstore bundle attached to an image (cosign v3, `@sigstore/oci`). */
export const SIGSTORE_BUNDLE_TYPE = 'application/vnd.dev.sigstore.bundle.v0.3+json';
/** Most bundles of one digest read; more are ignored (a registry cannot make a pin wait forever). */
const MAX_BUNDLES = 16;
/** Largest bundle read. */
const MAX_BUNDLE_BYTES = 1024 * 1024;

/** A digest that the environment's policy does not let through; nothing was written. */
export class VerificationError extends ManifoldError {
  constructor(message: string, hint: string) {
    super(message, hint, EXIT.badInput);
  }
}

/**
 * The evidence that `ref` (with its digest) meets the rule `verification` has for it, for the pin's
 * `source.verified`; undefined when no rule covers the image and none is required. A
 * {@link VerificationError} names the image, the digest, the rule and what did not match.
 */
export async function verifyImage(
  verification: Verification,
  ref: ImageRef,
  client: RegistryClient,
  cache?: VerificationCache,
): Promise<PinEvidence | undefined> {
  const match = ruleFor(verification.rules, ref.repository);
  if (!match) {
    if (!verification.required) return undefined;
    throw new VerificationError(`${ref.value}: no verify: rule covers ${ref.repository}, and every pin here must be verified`, 'add a verify: rule for it');
  }
  const digest = ref.digest;
  if (!digest) throw new VerificationError(`${ref.value}: a verify: rule covers it, and a signature is checked for a digest`, 'pin it by digest');
  const trust = ruleTrust(verification, match.rule);
  const key = VerificationCache.key(digest, match.rule, trust.text);
  const remembered = cache?.get(key);
  if (remembered) return remembered;
  const signatures = [
    ...(await sigstoreBundles(client, ref, digest)),
    ...(await cosignTagSignatures(client, ref, digest, match.rule.provenance !== undefined)),
  ];
  const where = `verify rule ${match.index + 1} (${match.rule.images})`;
  const signature = firstValid(signatures, digest, match.rule, trust, { predicateType: COSIGN_SIGNATURE_PREDICATE });
  if (!signature.ok) throw refusal(ref, where, 'no valid signature', signature.reasons, signatures.length);
  let provenance: SignatureEvidence | undefined;
  if (match.rule.provenance) {
    const { predicateType, sourceRepository } = match.rule.provenance;
    const attested = firstValid(signatures, digest, match.rule, trust, { predicateType, ...(sourceRepository ? { sourceRepository } : {}) });
    if (!attested.ok) throw refusal(ref, where, `no valid ${predicateType} attestation`, attested.reasons, signatures.length);
    provenance = attested.evidence;
  }
  const { predicateType: _signed, ...signer } = signature.evidence;
  const evidence = { ...signer, ...(provenance ? { provenance: provenance.predicateType } : {}) };
  cache?.set(key, evidence);
  return evidence;
}

/**
 * `edits` with `source.verified` set from the signatures of the references they pin, as `env`'s
 * `verify:` rules require (each reference checked once); `edits` as they are when `env` has no rules.
 * A {@link VerificationError} stops all of them: nothing is written.
 */
export async function verifiedEdits(env: Environment, edits: readonly PinEdit[], client: RegistryClient): Promise<PinEdit[]> {
  const verification = env.verification;
  if (!verification) return [...edits];
  const evidence = new Map<string, PinEvidence | undefined>();
  const result: PinEdit[] = [];
  for (const edit of edits) {
    if (edit.ref === undefined) {
      result.push(edit);
      continue;
    }
    if (!evidence.has(edit.ref)) evidence.set(edit.ref, await verifyImage(verification, ImageRef.parseTagged(edit.ref), client));
    const verified = evidence.get(edit.ref);
    result.push(verified && edit.source ? { ...edit, source: { ...edit.source, verified } } : edit);
  }
  return result;
}

type FirstValid = { readonly ok: true; readonly evidence: SignatureEvidence } | { readonly ok: false; readonly reasons: string[] };

function firstValid(
  signatures: readonly FoundSignature[],
  digest: string,
  rule: VerifyRule,
  trust: RuleTrust,
  expected: { readonly predicateType: string; readonly sourceRepository?: string },
): FirstValid {
  const reasons: string[] = [];
  for (const signature of signatures) {
    const check = checkSignature(signature, digest, rule, trust, expected);
    if (check.ok) return check;
    reasons.push(check.reason);
  }
  return { ok: false, reasons };
}

function refusal(ref: ImageRef, where: string, what: string, reasons: readonly string[], count: number): VerificationError {
  const why = count === 0 ? 'the registry holds no signature for it (no Sigstore bundle, no cosign .sig tag)' : [...new Set(reasons)].join('; ');
  return new VerificationError(
    `${ref.value}: ${what} for ${where}: ${why}`,
    'pin a digest signed (and attested) by the identity the rule names; nothing was written',
  );
}

/** The Sigstore bundles attached to `digest`, parsed (at most {@link MAX_BUNDLES}). */
async function sigstoreBundles(client: RegistryClient, ref: ImageRef, digest: string): Promise<FoundSignature[]> {
  const referrers = (await client.referrers(ref, digest)).filter((descriptor) => descriptor.artifactType === SIGSTORE_BUNDLE_TYPE).slice(0, MAX_BUNDLES);
  const bundles: FoundSignature[] = [];
  for (const referrer of referrers) {
    const manifest = (await client.manifest(ref, referrer.digest)) as { layers?: Descriptor[] } | undefined;
    const layer = manifest?.layers?.find((candidate) => candidate?.mediaType === SIGSTORE_BUNDLE_TYPE);
    if (!layer || typeof layer.digest !== 'string' || !/^sha256:[a-f0-9]{64}$/.test(layer.digest)) continue;
    const bytes = await client.blob(ref, layer.digest, MAX_BUNDLE_BYTES);
    try {
      bundles.push({ bundle: JSON.parse(bytes.toString('utf8')) });
    } catch {
      bundles.push({ bundle: undefined });
    }
  }
  return bundles;
}

const trustedRoots = new Map<string, TrustedRoot>();
/** A trusted root with no authority in it: key rules without a transparency log need none. */
const NO_TRUSTED_ROOT = TrustedRoot.fromJSON({});

/**
 * What `rule` is checked under: the environment's trusted root and, for a key rule, its public key
 * (and the key's fingerprint); `text` is all of it as bytes, for the verdict cache's key.
 */
function ruleTrust(verification: Verification, rule: VerifyRule): RuleTrust & { readonly text: string } {
  const trusted = verification.trustedRoot === undefined ? NO_TRUSTED_ROOT : parseTrustedRoot(verification.trustedRoot);
  const text = verification.trustedRoot?.text ?? '';
  const pem = rule.key === undefined ? undefined : verification.keys.get(rule.key);
  if (pem === undefined) return { material: toTrustMaterial(trusted), text };
  const publicKey = createPublicKey(pem);
  // cosign's signatures name no key (their hint is empty): the rule's key is the one they must verify under.
  const material = toTrustMaterial(trusted, () => ({ publicKey, validFor: () => true }));
  return { material, keyFingerprint: keyFingerprint(publicKey), text: `${text}\0${pem}` };
}

/** The SHA-256 fingerprint of a public key's DER encoding, as `sha256:<hex>`. */
export function keyFingerprint(publicKey: KeyObject): string {
  return `sha256:${createHash('sha256')
    .update(publicKey.export({ format: 'der', type: 'spki' }))
    .digest('hex')}`;
}

/** The trusted root the environment names, parsed (once per text). */
function parseTrustedRoot({ file, text }: { readonly file: string; readonly text: string }): TrustedRoot {
  const parsed = trustedRoots.get(text);
  if (parsed) return parsed;
  let trusted: TrustedRoot;
  try {
    trusted = TrustedRoot.fromJSON(JSON.parse(text));
    toTrustMaterial(trusted);
  } catch (error) {
    throw new VerificationError(
      `${file} is not a Sigstore trusted root (${(error as Error).message})`,
      'name a trusted_root.json as cosign trusted-root create or Sigstore TUF writes it',
    );
  }
  trustedRoots.set(text, trusted);
  return trusted;
}
