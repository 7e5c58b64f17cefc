/** `manifold release <env> <image>`: lift the hold a rollback set, so Flux may move the pin again. */
import type { Command } from 'commander';
import { readEnvironment } from '../config/load-environment.ts';
import { ConfigError } from '../errors/config-error.ts';
import { requirePins } from '../pins/pin-targets.ts';
import { commitPinEdits } from '../pins/pin-transaction.ts';
import type { CliIo } from './cli-io.ts';
import { printPinChanges, printSynthResult } from './pin-output.ts';

/** Adds the release command to `program`. */
export function registerRelease(program: Command, io: CliIo): void {
  program
    .command('release')
    .description('Lift the hold a rollback set, so Flux may move the pin again. Example: pnpm release prod web')
    .argument('<env>', 'environment')
    .argument('<image>', '<app>/<image>, image name or repository')
    .option('--json', 'print the changes as JSON')
    .action(async (envName: string, target: string, options: { json?: boolean }) => {
      const root = io.root();
      const env = await readEnvironment(root, envName, io.run.renderCache);
      const pins = requirePins(env, target).filter((pin) => pin.hold);
      if (pins.length === 0)
        throw new ConfigError({
          ...env.sources.images.positionOf([]),
          message: `no pin named "${target}" is held in ${envName}`,
          hint: 'pnpm images shows which pins are held',
        });
      const edits = pins.map((pin) => ({ app: pin.app, image: pin.image, hold: false }));
      const { before, result } = await commitPinEdits(root, envName, io.run, edits);
      printPinChanges(io, envName, before, edits, options.json);
      if (!options.json) printSynthResult(io, result);
    });
}
