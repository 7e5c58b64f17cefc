/** `manifold renovate [--check]`: keep renovate.json moving the pins that have an update policy. */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Command } from 'commander';
import { readEnvironment } from '../config/load-environment.ts';
import { replaceFile } from '../files/replace-file.ts';
import { assertRealPath } from '../files/repository-paths.ts';
import { unifiedDiff } from '../output/compare-dist.ts';
import { listEnvironments } from '../synth/synthesize.ts';
import type { CliIo } from './cli-io.ts';

/** Adds the renovate command to `program`. */
export function registerRenovate(program: Command, io: CliIo): void {
  program
    .command('renovate')
    .description(
      'Write renovate.json so that Renovate moves the pins with an update policy (tag and digest together) as their policy allows, and never touches dist/; your own settings are kept. Example: pnpm manifold renovate --check',
    )
    .option('--check', 'fail (exit 1) with a diff if renovate.json is out of date; writes nothing')
    .action(async (options: { check?: boolean }) => {
      // Loaded here, not at start: its JSONC parser is needed by this command only.
      const { RENOVATE_FILE, renovateFileText } = await import('../renovate/renovate-file.ts');
      const root = io.root();
      const path = join(root, RENOVATE_FILE);
      assertRealPath(root, RENOVATE_FILE);
      const envs = await Promise.all((await listEnvironments(root)).map((env) => readEnvironment(root, env, io.run.renderCache)));
      const current = await readFile(path, 'utf8').catch((error: NodeJS.ErrnoException) => {
        if (error.code === 'ENOENT') return undefined;
        throw error;
      });
      const wanted = renovateFileText(current, envs);
      if (wanted === current) {
        io.out(`${RENOVATE_FILE} is current`);
        return;
      }
      if (options.check) {
        io.out(unifiedDiff(RENOVATE_FILE, current ?? '', wanted));
        io.err(`${RENOVATE_FILE} is out of date: run pnpm manifold renovate and commit the result`);
        io.exit(1);
        return;
      }
      await replaceFile(path, wanted);
      io.out(`wrote ${RENOVATE_FILE}`);
    });
}
