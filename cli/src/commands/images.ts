/** `manifold images diff --base <rev>`: which image pins move between a git revision and the working tree. */
import type { Command } from 'commander';
import { ConfigError } from '../config/config-error.ts';
import { loadEnvironment, overlayFiles } from '../config/load-environment.ts';
import { readFileAtRevision, revisionExists } from '../git/git-revision.ts';
import { diffPins, formatChangesMarkdown, formatChangesText, type PinChange } from '../pins/pin-changes.ts';
import { listEnvironments } from '../synth/synthesize.ts';
import type { CliIo } from './cli-io.ts';

/** Adds the images command group to `program`. */
export function registerImages(program: Command, io: CliIo): void {
  const images = program.command('images').description('Image pins across environments.');
  images
    .command('diff')
    .description('List the pins that differ from a git revision (old → new tag and digest). Example: pnpm manifold images diff --base origin/main --markdown')
    .requiredOption('--base <revision>', 'git revision to compare with, e.g. origin/main')
    .option('--markdown', 'print a Markdown table (for a pull request body)')
    .option('--json', 'print JSON')
    .action(async (options: { base: string; markdown?: boolean; json?: boolean }) => {
      const root = io.root();
      if (!(await revisionExists(root, options.base))) {
        throw new ConfigError({
          file: '--base',
          line: 1,
          col: 1,
          message: `"${options.base}" is not a commit of this repository`,
          hint: 'fetch it first, e.g. git fetch origin main',
        });
      }
      const changes: PinChange[] = [];
      for (const env of await listEnvironments(root)) {
        const now = await loadEnvironment(root, env);
        const text = await readFileAtRevision(root, options.base, overlayFiles(env).images);
        const before = text === undefined ? new Map() : (await loadEnvironment(root, env, text)).pins;
        changes.push(...diffPins(env, before, now.pins));
      }
      if (options.json) io.out(JSON.stringify(changes, null, 2));
      else io.out((options.markdown ? formatChangesMarkdown(changes) : formatChangesText(changes)).trimEnd());
    });
}
