/**
 * A Sigstore of its own on loopback for the tests: @sigstore/mock's Fulcio (certificates for any
 * identity a test names), Rekor (log entries with signed timestamps and inclusion proofs) served over
 * HTTP, the trusted root that vouches for their keys, and signing with the real @sigstore/sign client.
 * Signers are keyless identities or keys. Signatures are attached to images in the loopback registry
 * as cosign v3 does (a Sigstore bundle as an OCI referrer, listed under the tag-schema fallback
 * `sha256-<hex>` the registry needs without the referrers API) or in cosign's tag format
 * (`sha256-<hex>.sig`: simple-signing payloads with the signature, certificate and Rekor bundle in
 * layer annotations).
 */
import { createHash, generateKeyPairSync, type KeyObject, sign as signBytes } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type Bundle, bundleFromJSON, bundleToJSON } from '@sigstore/bundle';
import { fulcioHandler, initializeCA, initializeCTLog, initializeTLog, rekorHandler } from '@sigstore/mock';
import { DSSEBundleBuilder, FulcioSigner, MessageSignatureBundleBuilder, RekorWitness, type Signer } from '@sigstore/sign';
import { type PushTarget, putBlob, putManifest, sha256 } from '../registry/push-image.ts';

/** The artifact type cosign v3 gives a Sigstore bundle attached to an image. */
const BUNDLE_TYPE = 'application/vnd.dev.sigstore.bundle.v0.3+json';
const MANIFEST_TYPE = 'application/vnd.oci.image.manifest.v1+json';
const INDEX_TYPE = 'application/vnd.oci.image.index.v1+json';
const EMPTY_TYPE = 'application/vnd.oci.empty.v1+json';

/** Who signs: the certificate's identity (its URI SAN) and the OIDC issuer vouching for it. */
export interface SigningIdentity {
  readonly identity: string;
  readonly issuer: string;
}

/** A signing key pair (cosign generate-key-pair), for key rules. */
export interface SigningKey {
  readonly privateKey: KeyObject;
  readonly publicKey: KeyObject;
}

/** A new P-256 signing key and its public half as PEM, as cosign writes cosign.pub. */
export function signingKey(): SigningKey & { readonly pem: string } {
  const keys = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  return { ...keys, pem: keys.publicKey.export({ format: 'pem', type: 'spki' }).toString() };
}

/** A signature or attestation in cosign's tag format: the layer's media type, its bytes (a simple-signing payload or a DSSE envelope) and its annotations. */
export interface CosignTagSignature {
  readonly mediaType: string;
  readonly payload: Buffer;
  readonly annotations: Record<string, string>;
}

const SIMPLE_SIGNING = 'application/vnd.dev.cosign.simplesigning.v1+json';
const DSSE_ENVELOPE = 'application/vnd.dsse.envelope.v1+json';

/** What a statement says and about which digest; defaults make a cosign signature of `digest`. */
export interface StatementOptions {
  readonly predicateType?: string;
  readonly predicate?: unknown;
  /** Sign a statement about this digest instead (a signature for another image). */
  readonly subjectDigest?: string;
}

/** A running loopback Sigstore. */
export interface LoopbackSigstore {
  /** The trusted root (protobuf-specs JSON) with this instance's CA, Rekor and CT log keys. */
  readonly trustedRoot: object;
  /** A Sigstore bundle (JSON) signing an in-toto statement about `digest`. */
  sign(signer: SigningIdentity | SigningKey, digest: string, statement?: StatementOptions): Promise<object>;
  /**
   * A cosign tag-format signature of `digest` (of `signedDigest` instead, when given), logged in Rekor
   * unless `log` is false.
   */
  signCosign(
    signer: SigningIdentity | SigningKey,
    digest: string,
    options?: { readonly log?: boolean; readonly signedDigest?: string },
  ): Promise<CosignTagSignature>;
  /** A cosign tag-format attestation (`cosign attest`): a DSSE envelope of an in-toto statement about `digest`, logged in Rekor. */
  attestCosign(signer: SigningIdentity | SigningKey, digest: string, statement: StatementOptions): Promise<CosignTagSignature>;
  /** Attaches `bundle` to `repository@digest` in the registry as a referrer. */
  attach(registry: PushTarget, repository: string, digest: string, bundle: object): Promise<void>;
  /** Pushes `signatures` as the `sha256-<hex>.sig` manifest of `repository@digest` (attestations: `.att`), as cosign sign and attest do. */
  attachCosign(registry: PushTarget, repository: string, digest: string, signatures: readonly CosignTagSignature[]): Promise<void>;
  stop(): Promise<void>;
}

/** The predicate type of a cosign v3 image signature. */
export const COSIGN_SIGN = 'https://sigstore.dev/cosign/sign/v1';

/**
 * Starts the loopback Sigstore. `certificateClock` backdates the certificates Fulcio issues (and their
 * CT log proofs) while Rekor logs at the real time: a certificate expired when its signature was logged.
 */
export async function startLoopbackSigstore(options: { readonly certificateClock?: Date } = {}): Promise<LoopbackSigstore> {
  const clock = options.certificateClock;
  const caKeys = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  const ctKeys = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  const logKeys = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  const ctlog = await initializeCTLog(ctKeys, clock);
  const ca = await initializeCA(caKeys, ctlog, clock);
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const tlog = await initializeTLog(url, logKeys);
  const handlers = [fulcioHandler(ca), rekorHandler(tlog)];
  server.on('request', (request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', async () => {
      const handler = handlers.find((candidate) => request.method === 'POST' && request.url === candidate.path);
      if (!handler) {
        response.writeHead(404).end();
        return;
      }
      const result = await handler.fn(Buffer.concat(chunks).toString('utf8'));
      response.writeHead(result.statusCode, { 'Content-Type': result.contentType ?? 'text/plain' }).end(result.response);
    });
  });

  const start = new Date((clock ?? new Date()).getTime() - 3_600_000).toISOString();
  const der = (key: { export(options: { format: 'der'; type: 'spki' }): Buffer }) => key.export({ format: 'der', type: 'spki' });
  const trustedRoot = {
    mediaType: 'application/vnd.dev.sigstore.trustedroot+json;version=0.1',
    tlogs: [
      {
        baseUrl: url,
        hashAlgorithm: 'SHA2_256',
        publicKey: { rawBytes: tlog.publicKey.toString('base64'), keyDetails: 'PKIX_ECDSA_P256_SHA_256', validFor: { start } },
        logId: { keyId: createHash('sha256').update(tlog.publicKey).digest('base64') },
      },
    ],
    certificateAuthorities: [
      {
        subject: { organization: 'sigstore.mock', commonName: 'sigstore' },
        uri: url,
        certChain: {
          certificates: [{ rawBytes: Buffer.from(ca.rootCertificate.buffer, ca.rootCertificate.byteOffset, ca.rootCertificate.byteLength).toString('base64') }],
        },
        validFor: { start },
      },
    ],
    ctlogs: [
      {
        baseUrl: url,
        hashAlgorithm: 'SHA2_256',
        publicKey: { rawBytes: der(ctKeys.publicKey).toString('base64'), keyDetails: 'PKIX_ECDSA_P256_SHA_256', validFor: { start } },
        logId: { keyId: Buffer.from(ctlog.logID.buffer, ctlog.logID.byteOffset, ctlog.logID.byteLength).toString('base64') },
      },
    ],
    timestampAuthorities: [],
  };

  const signerFor = (signer: SigningIdentity | SigningKey): Signer => {
    if ('privateKey' in signer) {
      const publicKey = signer.publicKey.export({ format: 'pem', type: 'spki' }).toString();
      return { sign: async (data) => ({ signature: signBytes('sha256', data, signer.privateKey), key: { $case: 'publicKey', publicKey, hint: '' } }) };
    }
    const token = unsignedJwt({ iss: signer.issuer, sub: signer.identity, aud: 'sigstore' });
    return new FulcioSigner({ fulcioBaseURL: url, identityProvider: { getToken: async () => token } });
  };

  const sign: LoopbackSigstore['sign'] = async (signer, digest, statement = {}) => {
    const builder = new DSSEBundleBuilder({ signer: signerFor(signer), witnesses: [new RekorWitness({ rekorBaseURL: url, entryType: 'intoto' })] });
    const subject = statement.subjectDigest ?? digest;
    const payload = {
      _type: 'https://in-toto.io/Statement/v1',
      subject: [{ name: 'image', digest: { sha256: subject.slice('sha256:'.length) } }],
      predicateType: statement.predicateType ?? COSIGN_SIGN,
      predicate: statement.predicate ?? {},
    };
    const bundle = await builder.create({ data: Buffer.from(JSON.stringify(payload)), type: 'application/vnd.in-toto+json' });
    return bundleToJSON(bundle) as object;
  };

  return {
    trustedRoot,
    sign,
    async signCosign(signer, digest, options = {}) {
      const witnesses = options.log === false ? [] : [new RekorWitness({ rekorBaseURL: url })];
      const builder = new MessageSignatureBundleBuilder({ signer: signerFor(signer), witnesses });
      const payload = Buffer.from(
        JSON.stringify({
          critical: {
            identity: { 'docker-reference': 'image' },
            image: { 'docker-manifest-digest': options.signedDigest ?? digest },
            type: 'cosign container image signature',
          },
          optional: null,
        }),
      );
      return { mediaType: SIMPLE_SIGNING, payload, annotations: cosignAnnotations(await builder.create({ data: payload })) };
    },
    async attestCosign(signer, digest, statement) {
      const bundle = await sign(signer, digest, statement);
      const { dsseEnvelope } = bundle as { dsseEnvelope: object };
      return { mediaType: DSSE_ENVELOPE, payload: Buffer.from(JSON.stringify(dsseEnvelope)), annotations: cosignAnnotations(bundleFromJSON(bundle)) };
    },
    async attach(registry, repository, digest, bundle) {
      const bytes = Buffer.from(JSON.stringify(bundle));
      const empty = Buffer.from('{}');
      await putBlob(registry, repository, bytes);
      await putBlob(registry, repository, empty);
      const image = await fetch(`http://${registry.host}/v2/${repository}/manifests/${digest}`, {
        method: 'HEAD',
        headers: { Accept: `${MANIFEST_TYPE}, ${INDEX_TYPE}` },
      });
      const manifest = Buffer.from(
        JSON.stringify({
          schemaVersion: 2,
          mediaType: MANIFEST_TYPE,
          artifactType: BUNDLE_TYPE,
          config: { mediaType: EMPTY_TYPE, digest: sha256(empty), size: empty.length },
          layers: [{ mediaType: BUNDLE_TYPE, digest: sha256(bytes), size: bytes.length }],
          subject: { mediaType: image.headers.get('content-type') ?? MANIFEST_TYPE, digest, size: Number(image.headers.get('content-length') ?? 0) },
        }),
      );
      const referrer = await putManifest(registry, repository, sha256(manifest), manifest, MANIFEST_TYPE);
      // The tag-schema fallback: an index under sha256-<hex> listing every referrer.
      const tag = digest.replace(':', '-');
      const current = await fetch(`http://${registry.host}/v2/${repository}/manifests/${tag}`, { headers: { Accept: INDEX_TYPE } });
      const listed = current.ok ? ((await current.json()) as { manifests: object[] }).manifests : [];
      const index = Buffer.from(
        JSON.stringify({
          schemaVersion: 2,
          mediaType: INDEX_TYPE,
          manifests: [...listed, { mediaType: MANIFEST_TYPE, digest: referrer, size: manifest.length, artifactType: BUNDLE_TYPE }],
        }),
      );
      await putManifest(registry, repository, tag, index, INDEX_TYPE);
    },
    async attachCosign(registry, repository, digest, signatures) {
      const config = Buffer.from('{}');
      await putBlob(registry, repository, config);
      for (const signature of signatures) await putBlob(registry, repository, signature.payload);
      const manifest = Buffer.from(
        JSON.stringify({
          schemaVersion: 2,
          mediaType: MANIFEST_TYPE,
          config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: sha256(config), size: config.length },
          layers: signatures.map((signature) => ({
            mediaType: signature.mediaType,
            digest: sha256(signature.payload),
            size: signature.payload.length,
            annotations: signature.annotations,
          })),
        }),
      );
      const suffix = signatures[0]?.mediaType === DSSE_ENVELOPE ? 'att' : 'sig';
      await putManifest(registry, repository, `${digest.replace(':', '-')}.${suffix}`, manifest, MANIFEST_TYPE);
    },
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** The layer annotations cosign writes for a bundle: the signature (of a message), certificate (PEM) and Rekor bundle. */
function cosignAnnotations(bundle: Bundle): Record<string, string> {
  const annotations: Record<string, string> =
    bundle.content.$case === 'messageSignature' ? { 'dev.cosignproject.cosign/signature': bundle.content.messageSignature.signature.toString('base64') } : {};
  const material = bundle.verificationMaterial.content;
  const certificate =
    material.$case === 'x509CertificateChain'
      ? material.x509CertificateChain.certificates[0]
      : material.$case === 'certificate'
        ? material.certificate
        : undefined;
  if (certificate) {
    const der = certificate.rawBytes.toString('base64');
    annotations['dev.sigstore.cosign/certificate'] = `-----BEGIN CERTIFICATE-----\n${der.replace(/.{64}/g, '$&\n')}\n-----END CERTIFICATE-----\n`;
  }
  const entry = bundle.verificationMaterial.tlogEntries[0];
  if (entry?.inclusionPromise) {
    annotations['dev.sigstore.cosign/bundle'] = JSON.stringify({
      SignedEntryTimestamp: entry.inclusionPromise.signedEntryTimestamp.toString('base64'),
      Payload: {
        body: entry.canonicalizedBody.toString('base64'),
        integratedTime: Number(entry.integratedTime),
        logIndex: Number(entry.logIndex),
        logID: entry.logId?.keyId.toString('hex'),
      },
    });
  }
  return annotations;
}

/** A JWT the mock Fulcio reads the claims of (it checks no signature, as a test CA may not). */
function unsignedJwt(claims: object): string {
  const part = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
  return `${part({ alg: 'none', typ: 'JWT' })}.${part({ ...claims, iat: Math.floor(Date.now() / 1000), exp: Math.floor(Date.now() / 1000) + 600 })}.`;
}
