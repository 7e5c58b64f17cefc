/** `manifold promote <from> <to>`: copy pins (tag and digest) from one environment to the next. */
import { type Command, Option } from 'commander';
import { ConfigError } from '../config/config-error.ts';
import { loadEnvironment, type Pin } from '../config/load-environment.ts';
import { completeRefs } from '../pins/complete-refs.ts';
import { diffPins, formatChangesMarkdown, formatChangesText } from '../pins/pin-changes.ts';
import type { PinEdit } from '../pins/pin-edits.ts';
import { pinNames, pinsNamed } from '../pins/pin-targets.ts';
import { commitPinEdits } from '../pins/pin-transaction.ts';
import { provenance } from '../pins/provenance.ts';
import type { CliIo } from './cli-io.ts';
import { printSynthResult } from './pin-output.ts';
import { type RegistryOptions, registryClient, withRegistryOptions } from './registry-options.ts';

/** Adds the promote command to `program`. */
export function registerPromote(program: Command, io: CliIo): void {
  withRegistryOptions(
    program
      .command('promote')
      .description('Copy pins from one environment to another and re-synthesize the target. Example: pnpm promote staging prod --only web,ml-api/api')
      .argument('<from>', 'environment to copy pins from')
      .argument('<to>', 'environment to copy them to')
      .option('--only <images>', 'comma-separated <app>/<image>, image names or repositories')
      .option('--dry-run', 'show what would move and write nothing')
      .option('--verify', 'check in the registry that every promoted digest exists')
      .addOption(new Option('--markdown', 'print the changes as a Markdown table (a PR body)').conflicts('json'))
      .option('--json', 'print the changes as JSON'),
  ).action(
    async (
      fromName: string,
      toName: string,
      options: RegistryOptions & { only?: string; dryRun?: boolean; verify?: boolean; markdown?: boolean; json?: boolean },
    ) => {
      if (fromName === toName) {
        io.err(`error: promote needs two different environments, got "${fromName}" twice`);
        io.exit(2);
        return;
      }
      const root = io.root();
      const [from, to] = await Promise.all([loadEnvironment(root, fromName), loadEnvironment(root, toName)]);
      const selected = selectPins(from, options.only);
      const moving: Pin[] = [];
      const held: Pin[] = [];
      for (const pin of selected) {
        const target = to.pins.get(`${pin.app}/${pin.image}`);
        if (!target || target.ref.value === pin.ref.value) continue;
        (target.hold ? held : moving).push(pin);
      }
      const mutable = moving.filter((pin) => !pin.ref.digest);
      if (to.requireDigests && mutable.length > 0) {
        throw new ConfigError({
          ...(mutable[0] as Pin).position,
          message: `${toName} requires digests, but ${mutable.map((pin) => `${pin.app}/${pin.image}`).join(', ')} in ${fromName} ${mutable.length === 1 ? 'has' : 'have'} none`,
          hint: `pin ${fromName} by digest first: pnpm pin ${fromName} ${mutable.map((pin) => `${pin.app}/${pin.image}=${pin.ref.value}`).join(' ')}`,
        });
      }
      if (options.verify) {
        const { client, done } = registryClient(options);
        await completeRefs(
          moving.map((pin) => pin.ref),
          client,
          // A promoted digest was pinned earlier; the tag may have moved since, the content must exist.
          'digest',
        ).finally(done);
      }
      const source = provenance('promote', process.env, { from: fromName });
      const edits: PinEdit[] = moving.map((pin) => ({ app: pin.app, image: pin.image, ref: pin.ref.value, source }));
      const changes = diffPins(
        toName,
        new Map(moving.map((pin) => [`${pin.app}/${pin.image}`, to.pins.get(`${pin.app}/${pin.image}`) as Pin])),
        new Map(moving.map((pin) => [`${pin.app}/${pin.image}`, pin])),
      );
      if (options.json) io.out(JSON.stringify({ changes, held: held.map((pin) => `${pin.app}/${pin.image}`) }, null, 2));
      else io.out((options.markdown ? formatChangesMarkdown(changes) : formatChangesText(changes)).trimEnd());
      for (const pin of held) io.err(`skipped ${pin.app}/${pin.image}: held in ${toName} (pnpm release ${toName} ${pin.app}/${pin.image} first)`);
      if (options.dryRun || edits.length === 0) return;
      const { result } = await commitPinEdits(root, toName, io.importApp, edits);
      if (!options.json && !options.markdown) printSynthResult(io, result);
    },
  );
}

function selectPins(env: Awaited<ReturnType<typeof loadEnvironment>>, only: string | undefined): Pin[] {
  if (!only) return [...env.pins.values()];
  return only.split(',').flatMap((target, index) => {
    const pins = pinsNamed(env, target.trim());
    if (pins.length === 0) {
      throw new ConfigError({
        file: '--only',
        line: 1,
        col: index + 1,
        message: `${env.name} has no pin named "${target.trim()}"`,
        hint: `pins of ${env.name}: ${pinNames(env)}`,
      });
    }
    return pins;
  });
}
