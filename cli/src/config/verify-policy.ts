/**
 * The signature policy of an environment (`verify:` in environment.yaml): which identity must have
 * signed an image before its digest may be pinned, and which rule applies to an image. Patterns of
 * repositories are globs as cosign's policy-controller reads them (`*` within one path segment, `**`
 * across segments); identities are Go regular expressions (RE2), as cosign's
 * `--certificate-identity-regexp` reads them.
 */
import { z } from 'zod';
import { GoRegexp } from '../go/go-regexp.ts';

const goRegexp = z.string().superRefine((pattern, context) => {
  try {
    new GoRegexp(pattern);
  } catch (error) {
    context.addIssue({ code: 'custom', message: `not a Go regular expression: ${(error as Error).message}` });
  }
});

const repositoryGlob = z
  .string()
  .regex(/^[a-z0-9*][a-z0-9._\-/:*]*$/, 'expected a repository or a glob of them, such as ghcr.io/acme/* or ghcr.io/acme/**')
  .describe('Repositories the rule covers: * matches within one path segment, ** across segments (docker.io images as docker.io/library/<name>).');

const keylessSchema = z.strictObject({
  issuer: z
    .url({ protocol: /^https$/ })
    .describe('The OIDC issuer that must have vouched for the signer, exactly (e.g. https://token.actions.githubusercontent.com).'),
  identity: goRegexp.describe("A Go regular expression the signing certificate's identity (its subject alternative name) must match; anchor it with ^…$."),
});

const provenanceSchema = z.strictObject({
  predicateType: z.string().min(1).default('https://slsa.dev/provenance/v1').describe('The in-toto predicate type the attestation must carry.'),
  sourceRepository: z
    .url({ protocol: /^https$/ })
    .optional()
    .describe('The source repository the provenance must name (SLSA v1 buildDefinition.externalParameters.workflow.repository).'),
});

/** A file inside the repository ending in `extension`, as a rule or an environment names one. */
export function repositoryFile(extension: string, example: string) {
  return z
    .string()
    .regex(new RegExp(`^(?!/)(?!.*(^|/)\\.\\.(/|$))[A-Za-z0-9._\\-/]+\\${extension}$`), `expected a path inside the repository, such as ${example}`);
}

/** One rule of `verify:`: who must have signed (a keyless identity or a public key), and what else must be attested. */
export const verifyRuleSchema = z
  .strictObject({
    images: repositoryGlob,
    keyless: keylessSchema.optional().describe('Keyless (Sigstore) signatures: a Fulcio certificate for this identity, logged in Rekor.'),
    key: repositoryFile('.pub', 'keys/postgres.pub')
      .optional()
      .describe('Signatures made with the private half of this cosign public key (a PEM file in the repository).'),
    transparencyLog: z
      .boolean()
      .default(true)
      .describe('Require a Rekor entry for the signature, as cosign verify does; false only for key signatures made with --tlog-upload=false.'),
    provenance: provenanceSchema.optional().describe('An attestation of this type, signed by the same signer, must exist for the digest.'),
  })
  .superRefine((rule, context) => {
    if ((rule.keyless === undefined) === (rule.key === undefined))
      context.addIssue({ code: 'custom', message: 'a rule names its signer either as keyless: (an identity and its issuer) or as key: (a public key)' });
    else if (rule.keyless && !rule.transparencyLog)
      context.addIssue({ code: 'custom', message: 'keyless signatures need the transparency log: their certificates expire within minutes' });
  });

/** `verify:`: the rules, first match wins. */
export const verifySchema = z.array(verifyRuleSchema).describe('Signature rules: a digest is pinned only when the first rule whose images match it is met.');

/** One validated rule. */
export type VerifyRule = z.output<typeof verifyRuleSchema>;

/** The first rule of `rules` whose `images` glob matches `repository` (e.g. `ghcr.io/acme/web`), with its index. */
export function ruleFor(rules: readonly VerifyRule[], repository: string): { rule: VerifyRule; index: number } | undefined {
  const index = rules.findIndex((rule) => globPattern(rule.images).test(repository));
  const rule = rules[index];
  return rule ? { rule, index } : undefined;
}

const globs = new Map<string, RegExp>();

/** `glob` as an anchored regular expression: `**` any characters, `*` any but `/`, the rest literal. */
function globPattern(glob: string): RegExp {
  let pattern = globs.get(glob);
  if (!pattern) {
    const source = glob
      .split('**')
      .map((part) =>
        part
          .split('*')
          .map((literal) => literal.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
          .join('[^/]*'),
      )
      .join('.*');
    pattern = new RegExp(`^${source}$`);
    globs.set(glob, pattern);
  }
  return pattern;
}
