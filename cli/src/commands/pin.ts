/** `manifold pin <env> <image>=<ref>…`: pin images by digest (resolved from the registry) and re-synthesize. */
import type { TaggedImageRef } from '@manifold/constructs/core';
import { type Command, Option } from 'commander';
import type { PinSource } from '../config/images-schema.ts';
import { readEnvironment } from '../config/load-environment.ts';
import type { PinEdit } from '../config/pin-edits.ts';
import { ArgumentError } from '../errors/manifold-error.ts';
import { completeRefs } from '../pins/complete-refs.ts';
import { assignmentTargets } from '../pins/pin-targets.ts';
import { commitPinEdits } from '../pins/pin-transaction.ts';
import { defaultSetter, provenance } from '../pins/provenance.ts';
import type { CliIo } from './cli-io.ts';
import { taggedImageRef } from './option-values.ts';
import { printPinChanges, printSynthResult } from './pin-output.ts';
import { type RegistryOptions, registryClient, withRegistryOptions } from './registry-options.ts';
import { checkSignatures } from './signature-check.ts';

/** Adds the pin command to `program`. */
export function registerPin(program: Command, io: CliIo): void {
  withRegistryOptions(
    program
      .command('pin')
      .description(
        'Pin images in an environment (digests resolved from the registry) and re-synthesize it. Example: pnpm pin dev api=ghcr.io/acme/api:main-3f2c1e9-1732150000',
      )
      .argument('<env>', 'environment to pin in')
      .argument('<assignments...>', '<app>/<image>, <image> or <repository>, then =<reference>')
      .option('--no-verify', 'do not check a given digest against the registry')
      .addOption(new Option('--digest-only', 'accept a given digest the registry holds even if its tag now points elsewhere').conflicts('verify'))
      .addOption(
        new Option('--by <setter>', 'record who set the pin (default: ci when CI=true, else manual)').choices(['ci', 'manual', 'promote', 'rollback', 'flux']),
      )
      .option('--json', 'print the changes as JSON'),
  ).action(
    async (
      envName: string,
      assignments: string[],
      options: RegistryOptions & { verify: boolean; digestOnly?: boolean; by?: PinSource['by']; json?: boolean },
    ) => {
      const root = io.root();
      const env = await readEnvironment(root, envName, io.run.renderCache);
      const wanted = assignments.map((assignment, index) => parseAssignment(assignment, index));
      // Every target must name pins before anything reaches the network.
      const targets = wanted.map(({ target, ref, index }) => ({ ref, pins: assignmentTargets(env, target, `argument ${index + 2}`) }));
      const { client, done } = registryClient(options);
      // Digests first, then (when the environment has verify: rules) their signatures, before anything is written.
      const edits = await (async () => {
        const refs = await completeRefs(
          wanted.map(({ ref }) => ref),
          client,
          !options.verify ? 'none' : options.digestOnly ? 'digest' : 'tag',
        );
        const source = provenance(options.by ?? defaultSetter());
        const planned: PinEdit[] = targets.flatMap(({ ref, pins }) => pins.map((pin) => ({ ...pin, ref: refs.get(ref.value)?.value ?? ref.value, source })));
        return checkSignatures(env, planned, client);
      })().finally(done);
      const { before, result } = await commitPinEdits(root, envName, io.run, edits);
      printPinChanges(io, envName, before, edits, options.json);
      if (!options.json) printSynthResult(io, result);
    },
  );
}

function parseAssignment(assignment: string, index: number): { target: string; ref: TaggedImageRef; index: number } {
  const argument = `argument ${index + 2}`;
  const separator = assignment.indexOf('=');
  if (separator <= 0)
    throw new ArgumentError(argument, `"${assignment}" is not <image>=<reference>`, 'for example: api=ghcr.io/acme/api:main-3f2c1e9-1732150000');
  return { target: assignment.slice(0, separator), ref: taggedImageRef(assignment.slice(separator + 1), argument), index };
}
