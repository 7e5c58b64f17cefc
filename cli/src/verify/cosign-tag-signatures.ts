/**
 * Signatures and attestations in cosign's tag format (cosign before v3, and cosign v3 without the new
 * bundle format): a manifest tagged `sha256-<hex>.sig` whose layers are simple-signing payloads, and
 * one tagged `sha256-<hex>.att` whose layers are DSSE envelopes of in-toto statements, each layer with
 * its certificate and Rekor bundle (and, for a signature, the signature) in annotations. Each is read
 * into the Sigstore bundle (v0.1: a message signature or a DSSE envelope, with a signed entry
 * timestamp) it amounts to, so one verifier checks both formats.
 */
import { createHash } from 'node:crypto';
import type { ImageRef } from '@manifold/constructs/core';
import type { Descriptor, RegistryClient } from '../registry/registry-client.ts';
import type { FoundSignature } from './bundle-check.ts';

/** The media type of a simple-signing payload layer. */
export const SIMPLE_SIGNING_TYPE = 'application/vnd.dev.cosign.simplesigning.v1+json';
/** The media type of an attestation layer: a DSSE envelope (JSON). */
export const DSSE_ENVELOPE_TYPE = 'application/vnd.dsse.envelope.v1+json';
/** cosign's layer annotations. */
export const COSIGN_ANNOTATIONS = {
  signature: 'dev.cosignproject.cosign/signature',
  certificate: 'dev.sigstore.cosign/certificate',
  rekorBundle: 'dev.sigstore.cosign/bundle',
} as const;
/** Most signature layers read; a payload is small (cosign writes a few hundred bytes). */
const MAX_LAYERS = 16;
const MAX_PAYLOAD_BYTES = 64 * 1024;
/** Largest attestation envelope read (a SLSA provenance is a few KiB; the bundles' bound). */
const MAX_ENVELOPE_BYTES = 1024 * 1024;
const BUNDLE_V01 = 'application/vnd.dev.sigstore.bundle+json;version=0.1';

/**
 * The signatures and attestations of `digest` that `ref`'s repository keeps under cosign's
 * `sha256-<hex>.sig` and `.att` tags; none when there are no such tags. With `attestations` false
 * (no rule asks for one), the `.att` tag is not read.
 */
export async function cosignTagSignatures(client: RegistryClient, ref: ImageRef, digest: string, attestations: boolean): Promise<FoundSignature[]> {
  const found: FoundSignature[] = [];
  for (const layer of await layersOf(client, ref, `${digest.replace(':', '-')}.sig`, SIMPLE_SIGNING_TYPE)) {
    const payload = await client.blob(ref, layer.digest, MAX_PAYLOAD_BYTES);
    const annotations = layer.annotations ?? {};
    const signature = typeof annotations[COSIGN_ANNOTATIONS.signature] === 'string' ? annotations[COSIGN_ANNOTATIONS.signature] : '';
    const content = {
      messageSignature: { messageDigest: { algorithm: 'SHA2_256', digest: createHash('sha256').update(payload).digest('base64') }, signature },
    };
    found.push({ bundle: bundleOf(content, annotations), payload });
  }
  if (!attestations) return found;
  for (const layer of await layersOf(client, ref, `${digest.replace(':', '-')}.att`, DSSE_ENVELOPE_TYPE)) {
    const envelope = await client.blob(ref, layer.digest, MAX_ENVELOPE_BYTES);
    let dsseEnvelope: unknown;
    try {
      dsseEnvelope = JSON.parse(envelope.toString('utf8'));
    } catch {
      dsseEnvelope = undefined;
    }
    found.push({ bundle: bundleOf({ dsseEnvelope }, layer.annotations ?? {}) });
  }
  return found;
}

type AnnotatedLayer = Descriptor & { readonly digest: string; readonly annotations?: Record<string, unknown> };

/** The layers of `mediaType` in the manifest tagged `tag` (at most {@link MAX_LAYERS}), with a well-formed digest. */
async function layersOf(client: RegistryClient, ref: ImageRef, tag: string, mediaType: string): Promise<AnnotatedLayer[]> {
  const manifest = (await client.taggedManifest(ref, tag)) as { layers?: unknown } | undefined;
  const layers = Array.isArray(manifest?.layers) ? (manifest.layers as Partial<AnnotatedLayer>[]) : [];
  return layers
    .filter(
      (layer): layer is AnnotatedLayer => layer?.mediaType === mediaType && typeof layer.digest === 'string' && /^sha256:[a-f0-9]{64}$/.test(layer.digest),
    )
    .slice(0, MAX_LAYERS);
}

/**
 * The Sigstore bundle (JSON) that a layer's `content` (its signed message or DSSE envelope) and
 * annotations amount to; what is missing or malformed stays out, for the verifier to refuse.
 */
function bundleOf(content: object, annotations: Record<string, unknown>): object {
  const text = (name: string) => (typeof annotations[name] === 'string' ? (annotations[name] as string) : undefined);
  const certificate = pemBody(text(COSIGN_ANNOTATIONS.certificate));
  const entry = tlogEntry(text(COSIGN_ANNOTATIONS.rekorBundle));
  return {
    mediaType: BUNDLE_V01,
    verificationMaterial: {
      ...(certificate ? { x509CertificateChain: { certificates: [{ rawBytes: certificate }] } } : { publicKey: { hint: '' } }),
      tlogEntries: entry ? [entry] : [],
    },
    ...content,
  };
}

/** The base64 DER of the first certificate of a PEM text. */
function pemBody(pem: string | undefined): string | undefined {
  const match = pem?.match(/-----BEGIN CERTIFICATE-----([A-Za-z0-9+/=\s]+)-----END CERTIFICATE-----/);
  return match?.[1]?.replace(/\s/g, '');
}

/**
 * cosign's Rekor bundle annotation (`{SignedEntryTimestamp, Payload: {body, integratedTime, logIndex,
 * logID}}`) as a transparency-log entry with its inclusion promise.
 */
function tlogEntry(annotation: string | undefined): object | undefined {
  try {
    const { SignedEntryTimestamp, Payload } = JSON.parse(annotation ?? '') as {
      SignedEntryTimestamp?: unknown;
      Payload?: { body?: unknown; integratedTime?: unknown; logIndex?: unknown; logID?: unknown };
    };
    const { body, integratedTime, logIndex, logID } = Payload ?? {};
    if (typeof SignedEntryTimestamp !== 'string' || typeof body !== 'string' || typeof logID !== 'string' || !/^[a-f0-9]{64}$/.test(logID)) return undefined;
    if (!Number.isSafeInteger(integratedTime) || !Number.isSafeInteger(logIndex)) return undefined;
    const kind = JSON.parse(Buffer.from(body, 'base64').toString('utf8')) as { kind?: unknown; apiVersion?: unknown };
    if (typeof kind.kind !== 'string' || typeof kind.apiVersion !== 'string') return undefined;
    return {
      logIndex: String(logIndex),
      logId: { keyId: Buffer.from(logID, 'hex').toString('base64') },
      kindVersion: { kind: kind.kind, version: kind.apiVersion },
      integratedTime: String(integratedTime),
      inclusionPromise: { signedEntryTimestamp: SignedEntryTimestamp },
      canonicalizedBody: body,
    };
  } catch {
    return undefined;
  }
}
