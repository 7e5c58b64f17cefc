/** `manifold rollback <env> <image>`: set a pin back to an earlier reference from git history, held (sticky rollback). */
import { ImageRef, type TaggedImageRef } from '@manifold/constructs/core';
import { type Command, Option } from 'commander';
import { loadEnvironment, type Pin } from '../config/load-environment.ts';
import type { PinEdit } from '../config/pin-edits.ts';
import { ConfigError } from '../errors/config-error.ts';
import { ArgumentError } from '../errors/manifold-error.ts';
import { completeRefs } from '../pins/complete-refs.ts';
import { pinHistory } from '../pins/pin-history.ts';
import { requirePins } from '../pins/pin-targets.ts';
import { commitPinEdits } from '../pins/pin-transaction.ts';
import { provenance } from '../pins/provenance.ts';
import type { CliIo } from './cli-io.ts';
import { positiveInteger } from './option-values.ts';
import { printPinChanges, printSynthResult } from './pin-output.ts';
import { type RegistryOptions, registryClient, withRegistryOptions } from './registry-options.ts';

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
    const env = await loadEnvironment(root, envName);
    const pins = requirePins(env, target);
    const steps = options.steps;
    const edits: PinEdit[] = [];
    for (const pin of pins) {
      const history = await pinHistory(root, envName, pin.app, pin.image);
      const earlier = history.filter((entry) => entry.ref !== pin.ref.value);
      const chosen = options.to ? await chooseRef(options, earlier, pin) : earlier[steps - 1];
      if (!chosen) {
        throw new ConfigError({
          ...pin.position,
          message: `the git history of ${pin.position.file} has ${earlier.length === 0 ? 'no earlier reference' : `only ${earlier.length} earlier reference(s)`} for ${pin.app}/${pin.image}`,
          hint: earlier.length === 0 ? 'give one with --to <ref>' : `use --steps ${earlier.length} or less, or --to <ref>`,
        });
      }
      edits.push({
        app: pin.app,
        image: pin.image,
        ref: chosen.ref,
        hold: true,
        source: provenance('rollback', process.env, chosen.commit ? { commit: chosen.commit } : {}),
      });
    }
    const { before, result } = await commitPinEdits(root, envName, io.run, edits);
    printPinChanges(io, envName, before, edits, options.json);
    if (!options.json) printSynthResult(io, result);
  });
}

/** The reference `--to` names: with its digest from history when it has none, else from the registry. */
async function chooseRef(
  options: RegistryOptions & { to?: string },
  history: { ref: string; commit: string }[],
  pin: Pin,
): Promise<{ ref: string; commit?: string } | undefined> {
  let wanted: TaggedImageRef;
  try {
    wanted = ImageRef.parseTagged(options.to ?? '');
  } catch (error) {
    throw new ArgumentError('--to', (error as Error).message, `for example: --to ${pin.ref.value}`);
  }
  const known = history.find(
    (entry) =>
      entry.ref === wanted.value ||
      (!wanted.digest && ImageRef.parseTagged(entry.ref).repository === wanted.repository && ImageRef.parseTagged(entry.ref).tag === wanted.tag),
  );
  if (known && (wanted.digest || ImageRef.parseTagged(known.ref).digest)) return known;
  const { client, done } = registryClient(options);
  const complete = await completeRefs([wanted], client, 'digest').finally(done);
  return { ref: complete.get(wanted.value)?.value ?? wanted.value };
}
