/**
 * One signature checked against a rule: the Sigstore libraries verify the signature, the certificate
 * chain to the trusted root (or the rule's public key), the transparency-log entry and its time; this
 * module then checks what the rule asks of the result — issuer and identity (a Go regular expression)
 * for keyless rules, and that what was signed names the image's digest: an in-toto statement with the
 * expected predicate, or cosign's simple-signing payload for a signature in its tag format.
 */
import { bundleFromJSON } from '@sigstore/bundle';
import { type TrustMaterial, toSignedEntity, Verifier } from '@sigstore/verify';
import type { VerifyRule } from '../config/verify-policy.ts';
import { GoRegexp } from '../go/go-regexp.ts';
import { serverText } from '../registry/server-text.ts';

/** The predicate type of a cosign (v3) signature of an image, as a DSSE-signed in-toto statement. */
export const COSIGN_SIGNATURE_PREDICATE = 'https://sigstore.dev/cosign/sign/v1';
const IN_TOTO_PAYLOAD = 'application/vnd.in-toto+json';
/** The `critical.type` of cosign's simple-signing payload. */
const SIMPLE_SIGNING_TYPE = 'cosign container image signature';

/** A signature as a registry holds it: a Sigstore bundle (JSON), and the payload it signs when that is not inside it. */
export interface FoundSignature {
  readonly bundle: unknown;
  /** The signed bytes of a message signature (cosign's tag format keeps them in a layer of their own). */
  readonly payload?: Buffer;
}

/** The trust a rule is checked under: the verifier's material, and the fingerprint of the rule's key, if it names one. */
export interface RuleTrust {
  readonly material: TrustMaterial;
  readonly keyFingerprint?: string;
}

/** What a valid signature proves: who signed (an identity vouched for by an issuer, or a key), logged where and when. */
export interface SignatureEvidence {
  readonly identity?: string;
  readonly issuer?: string;
  readonly key?: string;
  readonly logIndex?: string;
  /** When the log integrated the entry, as an ISO 8601 UTC time. */
  readonly time?: string;
  readonly predicateType: string;
}

/** The outcome of checking one signature: its evidence, or why it does not count. */
export type SignatureCheck = { readonly ok: true; readonly evidence: SignatureEvidence } | { readonly ok: false; readonly reason: string };

/**
 * Checks that `found` is a valid signature by `rule`'s signer over `digest` (`sha256:<hex>`): an
 * in-toto statement whose subject is the digest and whose predicate is `predicateType` (for a
 * provenance attestation, `sourceRepository` must also be the one it names), or — for a plain
 * signature — cosign's simple-signing payload naming the digest.
 */
export function checkSignature(
  found: FoundSignature,
  digest: string,
  rule: VerifyRule,
  trust: RuleTrust,
  expected: { readonly predicateType: string; readonly sourceRepository?: string },
): SignatureCheck {
  let bundle: ReturnType<typeof bundleFromJSON>;
  try {
    bundle = bundleFromJSON(found.bundle);
  } catch (error) {
    return { ok: false, reason: `not a Sigstore bundle (${shown((error as Error).message)})` };
  }
  const byKey = bundle.verificationMaterial.content.$case === 'publicKey';
  if (rule.key !== undefined && !byKey) return { ok: false, reason: `signed with a certificate, not with the key ${rule.key}` };
  if (rule.keyless && byKey) return { ok: false, reason: 'signed with a key, not by a keyless identity' };
  let signer: ReturnType<Verifier['verify']>;
  try {
    const thresholds = rule.transparencyLog ? {} : { tlogThreshold: 0, timestampThreshold: 0 };
    signer = new Verifier(trust.material, thresholds).verify(toSignedEntity(bundle, found.payload));
  } catch (error) {
    return { ok: false, reason: `the signature does not verify (${shown((error as Error).message)})` };
  }
  let who: Pick<SignatureEvidence, 'identity' | 'issuer' | 'key'>;
  if (rule.keyless) {
    const identity = signer.identity?.subjectAlternativeName ?? '';
    const issuer = signer.identity?.extensions?.issuer ?? '';
    if (issuer !== rule.keyless.issuer) return { ok: false, reason: `signed through issuer ${shown(issuer) || '(none)'}, not ${rule.keyless.issuer}` };
    // The identity is recorded with the pin: one line of at most 500 characters, as images.yaml takes it.
    if (!new GoRegexp(rule.keyless.identity).matches(identity) || identity.length > 500 || /\p{Cc}/u.test(identity)) {
      return { ok: false, reason: `signed by ${shown(identity) || '(no identity)'}, which does not match ${rule.keyless.identity}` };
    }
    who = { identity, issuer };
  } else {
    who = { key: trust.keyFingerprint };
  }
  const content = bundle.content;
  const signed =
    content.$case === 'dsseEnvelope'
      ? checkStatement(content.dsseEnvelope.payloadType, content.dsseEnvelope.payload, digest, expected)
      : checkSimpleSigning(found.payload, digest, expected.predicateType);
  if (!signed.ok) return signed;
  const entry = bundle.verificationMaterial.tlogEntries[0];
  const logged = entry ? { logIndex: String(entry.logIndex), time: new Date(Number(entry.integratedTime) * 1000).toISOString().replace(/\.000Z$/, 'Z') } : {};
  return { ok: true, evidence: { ...who, ...logged, predicateType: signed.predicateType } };
}

type ContentCheck = { readonly ok: true; readonly predicateType: string } | { readonly ok: false; readonly reason: string };

/** A DSSE payload must be an in-toto statement about `digest` with the expected predicate (and source). */
function checkStatement(
  payloadType: string,
  payload: Buffer,
  digest: string,
  expected: { readonly predicateType: string; readonly sourceRepository?: string },
): ContentCheck {
  if (payloadType !== IN_TOTO_PAYLOAD) return { ok: false, reason: `the signed payload is ${shown(payloadType)}, not an in-toto statement` };
  const statement = parseStatement(payload);
  if (!statement) return { ok: false, reason: 'the signed payload is not an in-toto statement' };
  if (statement.predicateType !== expected.predicateType)
    return { ok: false, reason: `the statement is a ${shown(statement.predicateType)}, not a ${expected.predicateType}` };
  const hex = digest.slice('sha256:'.length);
  if (!statement.subject.some((subject) => subject.digest?.sha256 === hex))
    return { ok: false, reason: `the statement is about another digest, not ${digest}` };
  if (expected.sourceRepository !== undefined) {
    const source = sourceRepositoryOf(statement.predicate);
    if (source !== expected.sourceRepository)
      return { ok: false, reason: `the provenance names source ${source === undefined ? '(none)' : shown(source)}, not ${expected.sourceRepository}` };
  }
  return { ok: true, predicateType: statement.predicateType };
}

/** A message signature is cosign's tag format: its payload must be a simple-signing document naming `digest`. It signs, it attests nothing. */
function checkSimpleSigning(payload: Buffer | undefined, digest: string, predicateType: string): ContentCheck {
  if (predicateType !== COSIGN_SIGNATURE_PREDICATE) return { ok: false, reason: `a signature is not a ${predicateType} attestation` };
  let critical: { type?: unknown; image?: { 'docker-manifest-digest'?: unknown } } | undefined;
  try {
    critical = (JSON.parse(payload?.toString('utf8') ?? '') as { critical?: typeof critical }).critical;
  } catch {
    critical = undefined;
  }
  if (critical?.type !== SIMPLE_SIGNING_TYPE) return { ok: false, reason: 'the signed payload is not a cosign simple-signing document' };
  const signed = critical.image?.['docker-manifest-digest'];
  if (signed !== digest) return { ok: false, reason: `the signature is for another digest, not ${digest}` };
  return { ok: true, predicateType: COSIGN_SIGNATURE_PREDICATE };
}

/** Text from a bundle (its signer's or author's to choose) made safe to print: one line, no control characters, bounded. */
function shown(text: string): string {
  return serverText(text, [], 120);
}

interface Statement {
  readonly predicateType: string;
  readonly subject: readonly { readonly digest?: { readonly sha256?: string } }[];
  readonly predicate: unknown;
}

function parseStatement(payload: Buffer): Statement | undefined {
  try {
    const statement = JSON.parse(payload.toString('utf8')) as Partial<Statement>;
    if (typeof statement.predicateType !== 'string' || !Array.isArray(statement.subject)) return undefined;
    return statement as Statement;
  } catch {
    return undefined;
  }
}

/** The source repository a SLSA v1 provenance names (GitHub Actions builds: the workflow's repository). */
function sourceRepositoryOf(predicate: unknown): string | undefined {
  const workflow = (predicate as { buildDefinition?: { externalParameters?: { workflow?: { repository?: unknown } } } } | undefined)?.buildDefinition
    ?.externalParameters?.workflow;
  return typeof workflow?.repository === 'string' ? workflow.repository : undefined;
}
