/**
 * The cluster enforces what git allows: from an environment's `verify:` rules, the Kyverno policy
 * (a namespaced kyverno.io/v1 Policy in the environment's namespace) whose `verifyImages` rules check
 * the same signer, the same provenance and the same trust material (the trusted root's CAs, Rekor and
 * CT log keys, or the rule's public key) before a Pod is admitted. First match wins here, so each rule
 * skips the images an earlier rule takes; `requireVerified` becomes a rule that admits only images
 * some rule covers.
 *
 * Kyverno's `*` matches across `/` where a rule's `*` stays within one path segment, so the policy
 * could bind a pinned image to another rule than git does: synth refuses that, naming the rule, and
 * the two decisions stay one.
 */
import { createPublicKey, X509Certificate } from 'node:crypto';
import type { Environment, Verification } from '../config/load-environment.ts';
import { ruleFor, type VerifyRule } from '../config/verify-policy.ts';
import { ConfigError, type SourcePosition } from '../errors/config-error.ts';

/** Folder under dist/<env>/ for the admission policy; `_` keeps it apart from any app name. */
export const POLICY_FOLDER = '_policy';
/** The name of the generated Policy. */
export const POLICY_NAME = 'manifold-verify-images';
/** The Kyverno JMESPath of the source repository a SLSA v1 provenance names (as `verify` reads it). */
const SOURCE_REPOSITORY_KEY = '{{ buildDefinition.externalParameters.workflow.repository }}';

/** The trust material of a trusted root, as Kyverno's attestors take it (PEM). */
interface ClusterTrust {
  readonly roots: string;
  readonly rekor?: { readonly url: string; readonly pubkey: string };
  readonly ctlogKey?: string;
}

/** The admission policy objects of `env`: none unless it asks for them (`admission:`). */
export function admissionPolicyObjects(env: Environment): object[] {
  const { admission, verification } = env;
  if (!admission || !verification) return [];
  checkSameDecision(env, verification.rules);
  const trust = verification.trustedRoot && clusterTrust(verification.trustedRoot, () => env.sources.environment.positionOf(['trustedRoot']));
  const match = { any: [{ resources: { kinds: ['Pod'] } }] };
  const rules: object[] = verification.rules.map((rule, index) => {
    const attestors = [{ count: 1, entries: [attestor(rule, verification, trust)] }];
    const skipped = verification.rules.slice(0, index).flatMap((earlier) => imageReferences(earlier.images));
    return {
      name: `verify-rule-${index + 1}`,
      match,
      verifyImages: [
        {
          type: admission.format === 'bundle' ? 'SigstoreBundle' : 'Cosign',
          imageReferences: imageReferences(rule.images),
          ...(skipped.length > 0 ? { skipImageReferences: skipped } : {}),
          failureAction: admission.failureAction,
          mutateDigest: false,
          verifyDigest: true,
          required: true,
          attestors,
          ...(rule.provenance ? { attestations: [attestation(rule.provenance, attestors)] } : {}),
        },
      ],
    };
  });
  if (verification.required) {
    const covered = verification.rules.flatMap((rule) => imageReferences(rule.images)).join(' | ');
    const image = [{ image: covered }];
    rules.push({
      name: 'require-verify-rule',
      match,
      validate: {
        failureAction: admission.failureAction,
        message: `every image in ${env.name} must be covered by one of its verify: rules (requireVerified)`,
        pattern: { spec: { '=(initContainers)': image, containers: image, '=(ephemeralContainers)': image } },
      },
    });
  }
  return [{ apiVersion: 'kyverno.io/v1', kind: 'Policy', metadata: { name: POLICY_NAME }, spec: { background: false, webhookTimeoutSeconds: 30, rules } }];
}

/** The image references (repository with a tag or a digest) a repository glob covers, as Kyverno patterns. */
function imageReferences(glob: string): string[] {
  const pattern = glob.replaceAll('**', '*');
  return [`${pattern}:*`, `${pattern}@*`];
}

/** Whether Kyverno's wildcard `pattern` (`*` any characters, `/` included) matches `image`. */
function kyvernoMatches(pattern: string, image: string): boolean {
  const source = pattern
    .split('*')
    .map((literal) => literal.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
    .join('.*');
  return new RegExp(`^${source}$`).test(image);
}

/** Every pin must meet the same rule (or none) in the cluster as here; else the rule that would differ is refused. */
function checkSameDecision(env: Environment, rules: readonly VerifyRule[]): void {
  for (const pin of env.pins.values()) {
    const here = ruleFor(rules, pin.ref.repository)?.index;
    const cluster = rules.findIndex((rule) => imageReferences(rule.images).some((pattern) => kyvernoMatches(pattern, pin.ref.value)));
    if (cluster === -1 || cluster === here) continue;
    throw new ConfigError({
      ...env.sources.environment.positionOf(['verify', cluster, 'images']),
      message: `in the cluster this rule would also check ${pin.app}/${pin.image} (${pin.ref.repository}), because Kyverno's * spans /, while ${here === undefined ? 'no rule' : `rule ${here + 1}`} covers it here`,
      hint: 'put a rule naming that repository first, or narrow this glob, so git and the cluster decide alike',
    });
  }
}

/** The attestor entry of `rule`: its keyless identity under the trusted root, or its public key. */
function attestor(rule: VerifyRule, verification: Verification, trust: ClusterTrust | undefined): object {
  const rekor = rule.transparencyLog && trust?.rekor ? trust.rekor : { ignoreTlog: true };
  if (rule.keyless) {
    return {
      keyless: {
        issuer: rule.keyless.issuer,
        subjectRegExp: rule.keyless.identity,
        ...(trust ? { roots: trust.roots, rekor, ...(trust.ctlogKey ? { ctlog: { pubkey: trust.ctlogKey } } : {}) } : {}),
      },
    };
  }
  const publicKeys = verification.keys.get(rule.key ?? '') ?? '';
  return { keys: { publicKeys, signatureAlgorithm: 'sha256', rekor, ctlog: { ignoreSCT: true } } };
}

/** The provenance attestation `rule` asks for, signed by the same attestors, naming the same source. */
function attestation(provenance: NonNullable<VerifyRule['provenance']>, attestors: readonly object[]): object {
  const { predicateType, sourceRepository } = provenance;
  return {
    type: predicateType,
    attestors,
    ...(sourceRepository ? { conditions: [{ all: [{ key: SOURCE_REPOSITORY_KEY, operator: 'Equals', value: sourceRepository }] }] } : {}),
  };
}

interface TrustedRootJson {
  readonly certificateAuthorities?: readonly { readonly certChain?: { readonly certificates?: readonly { readonly rawBytes?: string }[] } }[];
  readonly tlogs?: readonly TransparencyLogJson[];
  readonly ctlogs?: readonly TransparencyLogJson[];
}

interface TransparencyLogJson {
  readonly baseUrl?: string;
  readonly publicKey?: { readonly rawBytes?: string; readonly validFor?: { readonly end?: string } };
}

/** The CAs, the current Rekor log and CT log of a trusted root (protobuf-specs JSON), as PEM; a root that is none is refused where it is named. */
function clusterTrust(trustedRoot: { readonly file: string; readonly text: string }, position: () => SourcePosition): ClusterTrust {
  try {
    return trustOf(JSON.parse(trustedRoot.text) as TrustedRootJson);
  } catch (error) {
    throw new ConfigError({
      ...position(),
      message: `${trustedRoot.file} is not a Sigstore trusted root (${(error as Error).message})`,
      hint: 'name a trusted_root.json as cosign trusted-root create or Sigstore TUF writes it',
    });
  }
}

function trustOf(root: TrustedRootJson): ClusterTrust {
  const roots = (root.certificateAuthorities ?? [])
    .flatMap((authority) => authority.certChain?.certificates ?? [])
    .map((certificate) => new X509Certificate(Buffer.from(certificate.rawBytes ?? '', 'base64')).toString())
    .join('');
  const current = (logs: readonly TransparencyLogJson[] | undefined) => logs?.find((log) => log.publicKey?.rawBytes && !log.publicKey.validFor?.end);
  const pem = (log: TransparencyLogJson) =>
    createPublicKey({ key: Buffer.from(log.publicKey?.rawBytes ?? '', 'base64'), format: 'der', type: 'spki' })
      .export({ format: 'pem', type: 'spki' })
      .toString();
  const tlog = current(root.tlogs);
  const ctlog = current(root.ctlogs);
  return {
    roots,
    ...(tlog?.baseUrl ? { rekor: { url: tlog.baseUrl, pubkey: pem(tlog) } } : {}),
    ...(ctlog ? { ctlogKey: pem(ctlog) } : {}),
  };
}
