/** `manifold board [--out <dir>]`: the release board, a static page of what runs where, what is held and what is waiting. */
import { lstat, mkdir } from 'node:fs/promises';
import { isAbsolute, join, relative, resolve, sep } from 'node:path';
import type { Command } from 'commander';
import { readBoard, readDriftFiles } from '../board/board-data.ts';
import { renderBoardPage } from '../board/board-page.ts';
import { ArgumentError } from '../errors/manifold-error.ts';
import { listTree } from '../files/file-tree.ts';
import { replaceFile } from '../files/replace-file.ts';
import { linkOnPath } from '../files/repository-paths.ts';
import { listEnvironments } from '../synth/synthesize.ts';
import { baseCommit } from './base-revision.ts';
import type { CliIo } from './cli-io.ts';
import { positiveInteger, repeatable } from './option-values.ts';

/** Adds the board command to `program`. */
export function registerBoard(program: Command, io: CliIo): void {
  program
    .command('board')
    .description(
      "Write the release board: one self-contained HTML page with every environment × image (tag, digest, mode, age, who set it), each pin's history from git, Flux branches waiting and ESC drift. Example: pnpm manifold board --out board",
    )
    .option('--out <dir>', 'folder to write index.html into', 'board')
    .option('--base <revision>', 'revision Flux image-update branches are compared with (default HEAD)')
    .option('--drift <env=file>', 'the output of pnpm manifold esc pull <env> --check --json; repeatable', repeatable, [])
    .option('--commit-url <url>', 'link commits to this URL, {sha} standing for the hash (default: from a GitHub origin)')
    .option('--history <commits>', "commits of each environment's images.yaml to read", positiveInteger, 200)
    .option('--generated-at', 'print the time the page was made (the page then changes on every run)')
    .action(async (options: { out: string; base?: string; drift: string[]; commitUrl?: string; history: number; generatedAt?: boolean }) => {
      const root = io.root();
      for (const entry of options.drift) {
        if (!/^[a-z0-9][a-z0-9-]*=.+/.test(entry)) {
          throw new ArgumentError('--drift', `"${entry}" is not <env>=<file>`, 'for example: --drift prod=prod-esc.json');
        }
      }
      if (options.commitUrl !== undefined && !/^https?:\/\/[^\s]*\{sha\}/.test(options.commitUrl)) {
        throw new ArgumentError(
          '--commit-url',
          /^https?:\/\//.test(options.commitUrl) ? `"${options.commitUrl}" has no {sha}` : `"${options.commitUrl}" is not an http(s) URL`,
          'for example: --commit-url https://git.example.com/acme/platform/-/commit/{sha}',
        );
      }
      const board = await readBoard(root, {
        ...(options.base ? { base: await baseCommit(root, options.base) } : {}),
        historyLimit: options.history,
        driftReports: await readDriftFiles(options.drift, await listEnvironments(root)),
        ...(options.commitUrl ? { commitUrl: options.commitUrl } : {}),
        ...(options.generatedAt ? { generatedAt: new Date().toISOString() } : {}),
        cache: io.run.renderCache,
      });
      const out = resolve(root, options.out);
      await outputFolder(root, out);
      await replaceFile(join(out, 'index.html'), renderBoardPage(board));
      io.out(
        `wrote ${join(out, 'index.html')}: ${board.images.length} images × ${board.environments.length} environments, ${board.history.length} history entries, ${board.waiting.length} waiting branch(es)`,
      );
    });
}

/**
 * Makes `out` ready for the page: an existing real folder, or one made in an existing parent (not
 * recursively: some file systems, such as /proc, make a recursive mkdir spin instead of failing).
 * A link on the way, as `out` or anywhere in it is refused: the page would be written through it,
 * and a Pages upload dereferences links, publishing whatever they point at.
 */
async function outputFolder(root: string, out: string): Promise<void> {
  const refuse = (message: string) => new ArgumentError('--out', message, 'name a folder without symbolic links to write index.html into');
  const inside = relative(root, out);
  const link = inside.startsWith('..') || isAbsolute(inside) ? undefined : linkOnPath(root, inside.split(sep).join('/'));
  if (link !== undefined) throw refuse(`${join(root, link)} is a symbolic link`);
  const existing = await lstat(out).catch(() => undefined);
  if (existing?.isDirectory()) {
    const link = listTree(out).find((entry) => entry.isSymbolicLink());
    if (link) throw refuse(`${join(link.parentPath, link.name)} is a symbolic link inside ${out}`);
    return;
  }
  if (existing) throw refuse(`${out} is ${existing.isSymbolicLink() ? 'a symbolic link' : 'not a folder'}`);
  await mkdir(out);
}
