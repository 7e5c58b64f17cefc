/** `manifold images diff --base <rev>`: which image pins move between a git revision and the working tree. */
import type { Command } from 'commander';
import { imageMatrix } from '../pins/image-matrix.ts';
import { formatChangesMarkdown, formatChangesText, pinChangesSince } from '../pins/pin-changes.ts';
import { baseCommit } from './base-revision.ts';
import type { CliIo } from './cli-io.ts';
import { paint } from './terminal.ts';

/** Adds the images command group to `program`. */
export function registerImages(program: Command, io: CliIo): void {
  const images = program
    .command('images')
    .description(
      'Every environment × image: tag, digest, whether Flux moves it, and how far it trails the environment it is promoted from. Example: pnpm images prod',
    )
    .argument('[env]', 'only this environment')
    .option('--json', 'print JSON')
    .action(async (only: string | undefined, options: { json?: boolean }) => {
      const { rows } = await imageMatrix(io.root(), only, io.run.renderCache);
      if (options.json) {
        io.out(JSON.stringify(rows, null, 2));
        return;
      }
      const table = [
        ['IMAGE', 'ENV', 'TAG', 'DIGEST', 'MODE', 'SIGNED', 'VS PREVIOUS'],
        ...rows.map((row) => [row.image, row.env, row.tag, row.digest?.slice(7, 19) ?? '-', row.mode, row.verified ? 'verified' : '-', row.trails]),
      ];
      const widths = table[0]?.map((_, column) => Math.max(...table.map((cells) => (cells[column] ?? '').length))) ?? [];
      for (const [index, cells] of table.entries()) {
        const line = cells
          .map((cell, column) => (column === cells.length - 1 ? cell : cell.padEnd(widths[column] ?? 0)))
          .join('  ')
          .trimEnd();
        io.out(index === 0 ? paint(line, 'bold') : cells[4] === 'held' ? line.replace(' held ', ` ${paint('held', 'yellow')} `) : line);
      }
    });
  images
    .command('diff')
    .description('List the pins that differ from a git revision (old → new tag and digest). Example: pnpm manifold images diff --base origin/main --markdown')
    .requiredOption('--base <revision>', 'git revision to compare with, e.g. origin/main')
    .option('--markdown', 'print a Markdown table (for a pull request body)')
    .option('--json', 'print JSON')
    .action(async (options: { base: string; markdown?: boolean; json?: boolean }) => {
      const root = io.root();
      const changes = await pinChangesSince(root, await baseCommit(root, options.base), io.run.renderCache);
      if (options.json) io.out(JSON.stringify(changes, null, 2));
      else io.out((options.markdown ? formatChangesMarkdown(changes) : formatChangesText(changes)).trimEnd());
    });
}
