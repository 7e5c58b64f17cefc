/** `manifold rollback <env> <image>`: set a pin back to an earlier reference from git history, held (sticky rollback). */
import type { TaggedImageRef } from '@manifold/constructs/core';
import { type Command, Option } from 'commander';
import { readEnvironment } from '../config/load-environment.ts';
import type { PinEdit } from '../config/pin-edits.ts';
import { completeRefs } from '../pins/complete-refs.ts';
import { pinHistory } from '../pins/pin-history.ts';
import { requirePins } from '../pins/pin-targets.ts';
import { commitPinEdits } from '../pins/pin-transaction.ts';
import { provenance } from '../pins/provenance.ts';
import { type RollbackRequest, rollbackTarget } from '../pins/rollback-target.ts';
import type { CliIo } from './cli-io.ts';
import { positiveInteger, taggedImageRef } from './option-values.ts';
import { printPinChanges, printSynthResult } from './pin-output.ts';
import { type RegistryOptions, registryClient, withRegistryOptions } from './registry-options.ts';
import { checkSignatures } from './signature-check.ts';

/** Adds the rollback command to `program`. */
export function registerRollback(program: Command, io: CliIo): void {
  withRegistryOptions(
    program
      .command('rollback')
      .description('Set a pin back to an earlier reference from git history and hold it so Flux cannot undo that. Example: pnpm rollback prod web')
      .argument('<env>', 'environment')
      .argument('<image>', '<app>/<image>, image name or repository')
      .addOption(new Option('--steps <n>', 'go back this many distinct references').default(1).argParser(positiveInteger).conflicts('to'))
      .option('--to <ref>', 'go back to this reference (its digest is taken from history or the registry)')
      .option('--json', 'print the changes as JSON'),
  ).action(async (envName: string, target: string, options: RegistryOptions & { steps: number; to?: string; json?: boolean }) => {
    const root = io.root();
    const env = await readEnvironment(root, envName, io.run.renderCache);
    const pins = requirePins(env, target);
    const request: RollbackRequest = options.to === undefined ? { steps: options.steps } : { to: taggedImageRef(options.to, '--to') };
    const edits: PinEdit[] = [];
    for (const pin of pins) {
      const target = rollbackTarget(pin, await pinHistory(root, envName, pin.app, pin.image), request);
      const chosen = 'resolve' in target ? { ref: await resolveDigest(target.resolve, options) } : target;
      edits.push({
        app: pin.app,
        image: pin.image,
        ref: chosen.ref,
        hold: true,
        source: provenance('rollback', process.env, chosen.commit ? { commit: chosen.commit } : {}),
      });
    }
    // Going back is pinning: the environment's verify: rules apply to the earlier digest too.
    let checked = edits;
    if (env.verification) {
      const { client, done } = registryClient(options);
      checked = await checkSignatures(env, edits, client).finally(done);
    }
    const { before, result } = await commitPinEdits(root, envName, io.run, checked);
    printPinChanges(io, envName, before, checked, options.json);
    if (!options.json) printSynthResult(io, result);
  });
}

/** `ref` with the digest the registry holds for it (the given one, checked, when it has one). */
async function resolveDigest(ref: TaggedImageRef, options: RegistryOptions): Promise<string> {
  const { client, done } = registryClient(options);
  const complete = await completeRefs([ref], client, 'digest').finally(done);
  return complete.get(ref.value)?.value ?? ref.value;
}
