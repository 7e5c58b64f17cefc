/** `manifold verify [env…]`: check every committed pin against its environment's verify: rules. */
import type { Command } from 'commander';
import { evidenceSummary, type PinEvidence } from '../config/images-schema.ts';
import { readEnvironment } from '../config/load-environment.ts';
import { listEnvironments } from '../synth/synthesize.ts';
import { VerificationCache } from '../verify/verification-cache.ts';
import type { CliIo } from './cli-io.ts';
import { type RegistryOptions, registryClient, withRegistryOptions } from './registry-options.ts';

/** What `manifold verify` found for one pin. */
interface PinVerdict {
  readonly env: string;
  readonly image: string;
  readonly ref: string;
  readonly status: 'verified' | 'refused' | 'not covered';
  /** What the signature proved, when the pin passed. */
  readonly evidence?: PinEvidence;
  readonly reason?: string;
}

/** Adds the verify command to `program`. */
export function registerVerify(program: Command, io: CliIo): void {
  withRegistryOptions(
    program
      .command('verify')
      .description(
        "Check every pin of the environments (default: all) against their verify: rules: the digest's signature (and provenance) in the registry. Exit 1 when one fails. Example: pnpm manifold verify prod",
      )
      .argument('[envs...]', 'environments to check (default: every folder under overlays/)')
      .option('--json', 'print the verdicts as JSON'),
  ).action(async (envNames: string[], options: RegistryOptions & { json?: boolean }) => {
    const root = io.root();
    const names = envNames.length > 0 ? envNames : await listEnvironments(root);
    const environments = await Promise.all(names.map((name) => readEnvironment(root, name, io.run.renderCache)));
    // The verifier is loaded by the commands that verify, not at every start.
    const { VerificationError, verifyImage } = await import('../verify/image-signatures.ts');
    const cache = VerificationCache.open(io.run.verificationCache);
    const verdicts: PinVerdict[] = [];
    const { client, done } = registryClient(options);
    try {
      for (const env of environments) {
        const verification = env.verification;
        if (!verification) continue;
        for (const pin of env.pins.values()) {
          const image = `${pin.app}/${pin.image}`;
          try {
            const evidence = await verifyImage(verification, pin.ref, client, cache);
            verdicts.push(
              evidence
                ? { env: env.name, image, ref: pin.ref.value, status: 'verified', evidence }
                : { env: env.name, image, ref: pin.ref.value, status: 'not covered' },
            );
          } catch (error) {
            if (!(error instanceof VerificationError)) throw error;
            verdicts.push({ env: env.name, image, ref: pin.ref.value, status: 'refused', reason: error.message });
          }
        }
      }
    } finally {
      done();
      await cache.save();
    }
    const refused = verdicts.filter((verdict) => verdict.status === 'refused');
    if (options.json) io.out(JSON.stringify(verdicts, null, 2));
    else {
      for (const verdict of verdicts) {
        if (verdict.status === 'verified') io.out(`verified     ${verdict.env} ${verdict.image}: ${evidenceSummary(verdict.evidence as PinEvidence)}`);
        else if (verdict.status === 'not covered') io.out(`not covered  ${verdict.env} ${verdict.image}: no verify: rule names ${verdict.ref}`);
        else io.out(`refused      ${verdict.env} ${verdict.image}: ${verdict.reason}`);
      }
      const unchecked = environments.filter((env) => !env.verification).map((env) => env.name);
      if (unchecked.length > 0) io.out(`no verify: rules in ${unchecked.join(', ')}`);
    }
    if (refused.length > 0) {
      io.err(`${refused.length} pin(s) fail their verify: rule: pin signed digests (pnpm pin), or fix the rule`);
      io.exit(1);
    }
  });
}
