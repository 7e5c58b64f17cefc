/** `manifold flux simulate <env> --set <policy>=<tag>[@<digest>]…`: run Flux's image update locally. */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Command } from 'commander';
import { ConfigError } from '../config/config-error.ts';
import { loadEnvironment } from '../config/load-environment.ts';
import { unifiedDiff } from '../dist/compare-dist.ts';
import { replaceFile } from '../dist/replace-file.ts';
import { type PolicyUpdate, parsePolicyUpdate, simulateFluxUpdate } from '../flux/simulate-environment.ts';
import type { CliIo } from './cli-io.ts';

/** Adds the flux command group to `program`. */
export function registerFlux(program: Command, io: CliIo): void {
  const flux = program.command('flux').description('Flux image automation tools.');
  flux
    .command('simulate')
    .description(
      'Show (or --write) exactly what Flux commits when policies report new tags. Example: pnpm manifold flux simulate dev --set dev-web-web=main-4e5f6a7-1732160000@sha256:…',
    )
    .argument('<env>', 'environment whose ImageUpdateAutomation runs')
    .option('--set <policy=tag[@digest]>', 'a policy (name or app/image) and the image it reports; repeatable', collect, [])
    .option('--write', 'write the files as the Flux commit would')
    .option('--json', 'print the changes as JSON')
    .action(async (envName: string, options: { set: string[]; write?: boolean; json?: boolean }) => {
      const root = io.root();
      const env = await loadEnvironment(root, envName);
      const run = simulateFluxUpdate(root, env, parseSets(options.set));
      if (options.json) io.out(JSON.stringify({ changes: run.changes, files: [...run.files.keys()] }, null, 2));
      else if (run.changes.length === 0) io.out('Flux would commit nothing');
      else {
        for (const change of run.changes) io.out(`${change.file}: ${change.oldValue} -> ${change.newValue}`);
        if (!options.write) {
          for (const [path, text] of run.files) io.out(unifiedDiff(path, await readFile(join(root, path), 'utf8'), text));
        }
      }
      if (options.write) {
        for (const [path, text] of run.files) {
          await replaceFile(join(root, path), text);
        }
        if (!options.json) io.out(`wrote ${run.files.size} file(s)`);
      }
    });
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

function parseSets(sets: readonly string[]): Map<string, PolicyUpdate> {
  const updates = new Map<string, PolicyUpdate>();
  for (const set of sets) {
    const separator = set.indexOf('=');
    const update = separator > 0 ? parsePolicyUpdate(set.slice(separator + 1)) : undefined;
    if (!update) {
      throw new ConfigError({
        file: '--set',
        line: 1,
        col: Math.max(separator + 2, 1),
        message: `"${set}" is not <policy>=<tag>[@sha256:<64 hex>]`,
        hint: 'for example: --set dev-web-web=main-4e5f6a7-1732160000@sha256:<digest>',
      });
    }
    updates.set(set.slice(0, separator), update);
  }
  return updates;
}
