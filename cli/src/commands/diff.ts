/** `manifold diff --base <rev>`: what a change deploys, compared with the dist/ committed at a git revision. */
import type { Command } from 'commander';
import { readTreeAtRevision } from '../git/git-revision.ts';
import { pinChangesSince } from '../pins/pin-changes.ts';
import { generatedFilesByEnvironment } from '../review/committed-dist.ts';
import { formatReviewMarkdown, formatReviewText, type Review } from '../review/format-review.ts';
import { compareObjects } from '../review/object-changes.ts';
import { renderRepository } from '../synth/synthesize.ts';
import { baseCommit } from './base-revision.ts';
import type { CliIo } from './cli-io.ts';

/** Adds the diff command to `program`. */
export function registerDiff(program: Command, io: CliIo): void {
  program
    .command('diff')
    .description(
      'Summarise what this working tree deploys compared with a git revision: image pins that move, then objects added, removed and changed per environment (with the changed fields), then the raw diff size. Example: pnpm manifold diff --base origin/main --markdown',
    )
    .requiredOption('--base <revision>', 'git revision whose committed dist/ is compared with, e.g. origin/main')
    .option('--markdown', 'print Markdown for a pull-request comment')
    .option('--json', 'print JSON')
    .action(async (options: { base: string; markdown?: boolean; json?: boolean }) => {
      const root = io.root();
      const commit = await baseCommit(root, options.base);
      const [images, rendered, committed] = await Promise.all([
        pinChangesSince(root, commit, io.run.renderCache),
        renderRepository(root, [], io.run),
        readTreeAtRevision(root, commit, 'dist'),
      ]);
      const before = generatedFilesByEnvironment(committed);
      const after = new Map(rendered.environments.map((env) => [env.env, env.files]));
      const envs = [...new Set([...before.keys(), ...after.keys()])].sort();
      const review: Review = {
        base: { revision: options.base, commit },
        images,
        environments: envs.map((env) => compareObjects(env, before.get(env) ?? new Map(), after.get(env) ?? new Map())),
      };
      if (options.json) io.out(JSON.stringify(review, null, 2));
      else io.out((options.markdown ? formatReviewMarkdown(review) : formatReviewText(review)).trimEnd());
    });
}
