/**
 * One Sigstore bundle checked against a rule: the Sigstore libraries verify the signature, the
 * certificate chain to the trusted root, the transparency-log entry and its time; this module then
 * checks what the rule asks of the result — issuer, identity (a Go regular expression), and that the
 * signed in-toto statement names the image's digest with the expected predicate.
 */
import { bundleFromJSON } from '@sigstore/bundle';
import { type TrustMaterial, toSignedEntity, Verifier } from '@sigstore/verify';
import type { VerifyRule } from '../config/verify-policy.ts';
import { GoRegexp } from '../go/go-regexp.ts';
import { serverText } from '../registry/server-text.ts';

/** The predicate type of a cosign (v3) signature of an image, as a DSSE-signed in-toto statement. */
export const COSIGN_SIGNATURE_PREDICATE = 'https://sigstore.dev/cosign/sign/v1';
const IN_TOTO_PAYLOAD = 'application/vnd.in-toto+json';

/** What a valid bundle proves: who signed, vouched for by whom, logged where and when. */
export interface SignatureEvidence {
  readonly identity: string;
  readonly issuer: string;
  readonly logIndex: string;
  /** When the log integrated the entry, as an ISO 8601 UTC time. */
  readonly time: string;
  readonly predicateType: string;
}

/** The outcome of checking one bundle: its evidence, or why it does not count. */
export type StatementCheck = { readonly ok: true; readonly evidence: SignatureEvidence } | { readonly ok: false; readonly reason: string };

/**
 * Checks that `json` (a serialized Sigstore bundle) is a valid signature by `rule`'s identity over an
 * in-toto statement whose subject is `digest` (`sha256:<hex>`) and whose predicate is `predicateType`;
 * for a provenance attestation, `sourceRepository` must also be the one the provenance names.
 */
export function checkStatement(
  json: unknown,
  digest: string,
  rule: VerifyRule,
  trust: TrustMaterial,
  expected: { readonly predicateType: string; readonly sourceRepository?: string },
): StatementCheck {
  let bundle: ReturnType<typeof bundleFromJSON>;
  try {
    bundle = bundleFromJSON(json);
  } catch (error) {
    return { ok: false, reason: `not a Sigstore bundle (${shown((error as Error).message)})` };
  }
  if (bundle.content.$case !== 'dsseEnvelope') return { ok: false, reason: 'the bundle signs no in-toto statement' };
  let signer: ReturnType<Verifier['verify']>;
  try {
    signer = new Verifier(trust).verify(toSignedEntity(bundle));
  } catch (error) {
    return { ok: false, reason: `the signature does not verify (${shown((error as Error).message)})` };
  }
  const identity = signer.identity?.subjectAlternativeName ?? '';
  const issuer = signer.identity?.extensions?.issuer ?? '';
  if (issuer !== rule.keyless.issuer) return { ok: false, reason: `signed through issuer ${shown(issuer) || '(none)'}, not ${rule.keyless.issuer}` };
  // The identity is recorded with the pin: one line of at most 500 characters, as images.yaml takes it.
  if (!new GoRegexp(rule.keyless.identity).matches(identity) || identity.length > 500 || /\p{Cc}/u.test(identity)) {
    return { ok: false, reason: `signed by ${shown(identity) || '(no identity)'}, which does not match ${rule.keyless.identity}` };
  }
  const envelope = bundle.content.dsseEnvelope;
  if (envelope.payloadType !== IN_TOTO_PAYLOAD) return { ok: false, reason: `the signed payload is ${shown(envelope.payloadType)}, not an in-toto statement` };
  const statement = parseStatement(envelope.payload);
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
  const entry = bundle.verificationMaterial.tlogEntries[0];
  const integrated = Number(entry?.integratedTime ?? 0);
  return {
    ok: true,
    evidence: {
      identity,
      issuer,
      logIndex: String(entry?.logIndex ?? ''),
      time: new Date(integrated * 1000).toISOString().replace(/\.000Z$/, 'Z'),
      predicateType: statement.predicateType,
    },
  };
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
