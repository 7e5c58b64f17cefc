/** `manifold images diff --base <rev>`: which image pins move between a git revision and the working tree. */
import type { Command } from 'commander';
import { loadEnvironment } from '../config/load-environment.ts';
import { formatChangesMarkdown, formatChangesText, pinChangesSince } from '../pins/pin-changes.ts';
import { describeTrail } from '../pins/pin-trail.ts';
import { listEnvironments } from '../synth/synthesize.ts';
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
      const root = io.root();
      const envs = await Promise.all((only ? [only] : await listEnvironments(root)).map((env) => loadEnvironment(root, env)));
      const byName = new Map(envs.map((env) => [env.name, env]));
      for (const env of envs)
        if (env.promotesFrom && !byName.has(env.promotesFrom)) byName.set(env.promotesFrom, await loadEnvironment(root, env.promotesFrom));
      const rows = envs.flatMap((env) =>
        [...env.pins.values()].map((pin) => {
          const ahead = env.promotesFrom ? byName.get(env.promotesFrom)?.pins.get(`${pin.app}/${pin.image}`) : undefined;
          return {
            image: `${pin.app}/${pin.image}`,
            env: env.name,
            repository: pin.ref.repository,
            tag: pin.ref.tag,
            digest: pin.ref.digest ?? null,
            mode: pin.hold ? 'held' : pin.update ? 'auto' : 'pinned',
            trails: describeTrail(pin, ahead, env.promotesFrom ?? ''),
          };
        }),
      );
      // Within an image, environments in promotion order (dev before staging before prod).
      const depth = (name: string, seen = new Set<string>()): number => {
        const from = byName.get(name)?.promotesFrom;
        return from && !seen.has(from) ? 1 + depth(from, seen.add(name)) : 0;
      };
      rows.sort((a, b) => (a.image !== b.image ? (a.image < b.image ? -1 : 1) : depth(a.env) - depth(b.env) || (a.env < b.env ? -1 : 1)));
      if (options.json) {
        io.out(JSON.stringify(rows, null, 2));
        return;
      }
      const table = [
        ['IMAGE', 'ENV', 'TAG', 'DIGEST', 'MODE', 'VS PREVIOUS'],
        ...rows.map((row) => [row.image, row.env, row.tag, row.digest?.slice(7, 19) ?? '-', row.mode, row.trails]),
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
      const changes = await pinChangesSince(root, await baseCommit(root, options.base));
      if (options.json) io.out(JSON.stringify(changes, null, 2));
      else io.out((options.markdown ? formatChangesMarkdown(changes) : formatChangesText(changes)).trimEnd());
    });
}
