/** `manifold promote <from> <to>`: copy pins (tag and digest) from one environment to the next. */
import { type Command, Option } from 'commander';
import { readEnvironment } from '../config/load-environment.ts';
import { completeRefs } from '../pins/complete-refs.ts';
import { formatChangesMarkdown, formatChangesText } from '../pins/pin-changes.ts';
import { selectPins } from '../pins/pin-targets.ts';
import { commitPinEdits } from '../pins/pin-transaction.ts';
import { planPromotion } from '../pins/promotion.ts';
import type { CliIo } from './cli-io.ts';
import { printSynthResult } from './pin-output.ts';
import { type RegistryOptions, registryClient, withRegistryOptions } from './registry-options.ts';
import { checkSignatures } from './signature-check.ts';

/** Adds the promote command to `program`. */
export function registerPromote(program: Command, io: CliIo): void {
  withRegistryOptions(
    program
      .command('promote')
      .description(
        'Copy pins from one environment to another (adding those the target lacks for the apps it deploys) and re-synthesize the target. Example: pnpm promote staging prod --only web,ml-api/api',
      )
      .argument('<from>', 'environment to copy pins from')
      .argument('<to>', 'environment to copy them to')
      .option('--only <images>', 'comma-separated <app>/<image>, image names, repositories or app names')
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
      const [from, to] = await Promise.all([readEnvironment(root, fromName, io.run.renderCache), readEnvironment(root, toName, io.run.renderCache)]);
      const { moving, held, edits, changes } = await planPromotion(root, from, to, selectPins(from, options.only));
      // The target's verify: rules apply to what reaches it: a promoted digest is checked as a pinned one is.
      let checked = edits;
      if (options.verify || to.verification) {
        const { client, done } = registryClient(options);
        checked = await (async () => {
          // A promoted digest was pinned earlier; the tag may have moved since, the content must exist.
          if (options.verify)
            await completeRefs(
              moving.map((pin) => pin.ref),
              client,
              'digest',
            );
          return checkSignatures(to, edits, client);
        })().finally(done);
      }
      if (options.json) io.out(JSON.stringify({ changes, held: held.map((pin) => `${pin.app}/${pin.image}`) }, null, 2));
      else io.out((options.markdown ? formatChangesMarkdown(changes) : formatChangesText(changes)).trimEnd());
      for (const pin of held) io.err(`skipped ${pin.app}/${pin.image}: held in ${toName} (pnpm release ${toName} ${pin.app}/${pin.image} first)`);
      if (options.dryRun || edits.length === 0) return;
      const { result } = await commitPinEdits(root, toName, io.run, checked);
      if (!options.json && !options.markdown) printSynthResult(io, result);
    },
  );
}
