/** The schema of `overlays/<env>/images.yaml`: one pin per app image. */
import { z } from 'zod';
import { dnsLabel } from './environment-schema.ts';
import { policyProblem } from './update-policy.ts';

/** Which tags Flux may move a pin to. */
export const updatePolicySchema = z
  .strictObject({
    semver: z.string().min(1).optional().describe('A semver range, e.g. ">=1.2.0 <2".'),
    pattern: z.string().min(1).optional().describe('RE2 tag filter with a named group, e.g. ^main-[a-f0-9]+-(?P<ts>[0-9]+)$'),
    extract: z
      .string()
      .regex(/^\$[A-Za-z_][A-Za-z0-9_]*$/, 'expected $<group name>')
      .optional()
      .describe('The sortable part of the tag, e.g. $ts.'),
    sort: z.enum(['numerical', 'alphabetical']).optional().describe('How the extracted part is ordered.'),
    order: z.enum(['asc', 'desc']).default('asc').describe('asc picks the highest value.'),
  })
  .superRefine((policy, ctx) => {
    if (policy.semver !== undefined) {
      if (policy.sort !== undefined) ctx.addIssue({ code: 'custom', path: ['sort'], message: 'a semver policy takes no sort; remove "sort"' });
      const problem = policyProblem(policy);
      if (problem) ctx.addIssue({ code: 'custom', path: ['semver'], message: `${problem} as Flux (Masterminds semver) reads it` });
      return;
    }
    if (policy.pattern === undefined) {
      ctx.addIssue({ code: 'custom', message: 'expected either "semver" or "pattern" with "extract" and "sort"' });
      return;
    }
    const problem = policyProblem({ pattern: policy.pattern });
    if (problem) ctx.addIssue({ code: 'custom', path: ['pattern'], message: problem });
    if (policy.extract === undefined) ctx.addIssue({ code: 'custom', path: ['extract'], message: 'a pattern policy needs "extract", e.g. $ts' });
    else if (!problem && policyProblem(policy)) {
      ctx.addIssue({ code: 'custom', path: ['extract'], message: `pattern has no named group "${policy.extract.slice(1)}"` });
    }
    if (policy.sort === undefined) ctx.addIssue({ code: 'custom', path: ['sort'], message: 'a pattern policy needs "sort": numerical or alphabetical' });
  });

/** Who or what set a pin, recorded by the commands that write pins. */
export const pinSourceSchema = z.strictObject({
  by: z.enum(['ci', 'manual', 'promote', 'rollback', 'flux', 'esc']).describe('What set the pin.'),
  commit: z.string().max(64).optional().describe('Commit the image was built from, or the commit restored by a rollback.'),
  run: z.string().max(128).optional().describe('CI run that set the pin.'),
  actor: z.string().max(128).optional().describe('Who triggered it.'),
  from: z.string().max(63).optional().describe('Environment a promotion copied the pin from.'),
  environment: z.string().max(250).optional().describe('Pulumi ESC environment (org/project/env) a pull took the pin from.'),
  revision: z.string().max(32).optional().describe('Revision of that ESC environment.'),
  verified: z
    .strictObject({
      identity: z.string().max(500).optional().describe("The signing certificate's identity (keyless rules)."),
      issuer: z.string().max(500).optional().describe('The OIDC issuer that vouched for it (keyless rules).'),
      key: z
        .string()
        .regex(/^sha256:[a-f0-9]{64}$/)
        .optional()
        .describe("The SHA-256 fingerprint of the public key's DER encoding (key rules)."),
      logIndex: z.string().max(20).optional().describe('The Rekor log index of the signature, when it was logged.'),
      time: z.string().max(40).optional().describe('When the signature was logged (UTC).'),
      provenance: z.string().max(500).optional().describe('The predicate type of the provenance attestation checked, when the rule asks for one.'),
    })
    .optional()
    .describe('The signature checked before the pin was written (verify: rules).'),
});

/** One pinned image. */
export const pinSchema = z.strictObject({
  ref: z.string().describe('The full reference: registry/repository:tag@sha256:<digest>.'),
  update: updatePolicySchema.optional().describe('Let Flux move this pin. Without it the pin is fixed.'),
  hold: z.boolean().default(false).describe('Keep Flux from moving this pin (sticky rollback).'),
  source: pinSourceSchema.optional().describe('Provenance: who or what set the pin.'),
});

/** One app's entry of images.yaml: image → pin. */
export const appImagesSchema = z.record(dnsLabel, pinSchema);

/** `overlays/<env>/images.yaml`: app → image → pin. */
export const imagesSchema = z.record(dnsLabel, appImagesSchema).describe('Image pins of one environment: app → image → pin.');

/** A validated images.yaml. */
export type ImagesFile = z.output<typeof imagesSchema>;
/** A pin's provenance. */
export type PinSource = z.output<typeof pinSourceSchema>;
/** The signature checked before a pin was written (verify: rules). */
export type PinEvidence = NonNullable<PinSource['verified']>;

/** Who signed, as one line: the certificate's identity, or `key sha256:…` for a key signature. */
export function signerOf(evidence: PinEvidence): string {
  return evidence.identity ?? `key ${evidence.key ?? '(unknown)'}`;
}

/** The evidence as one line: who signed, through which issuer, where and when it was logged. */
export function evidenceSummary(evidence: PinEvidence): string {
  const details = [
    evidence.issuer && `issuer ${evidence.issuer}`,
    evidence.logIndex ? `Rekor log index ${evidence.logIndex}` : 'not in a transparency log',
    evidence.time,
  ].filter(Boolean);
  return `${signerOf(evidence)} (${details.join(', ')})`;
}
/** A validated update policy. */
export type UpdatePolicy = z.output<typeof updatePolicySchema>;
