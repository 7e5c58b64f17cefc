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
    .option('--tags <policy=tag[@digest],…>', 'tags the registry lists for a policy: it picks among them as the ImagePolicy would; repeatable', collect, [])
    .option('--write', 'write the files as the Flux commit would')
    .option('--json', 'print the changes as JSON')
    .action(async (envName: string, options: { set: string[]; tags: string[]; write?: boolean; json?: boolean }) => {
      const root = io.root();
      const env = await loadEnvironment(root, envName);
      const candidates = new Map([...parseSets(options.tags, '--tags', true)].map(([policy, updates]) => [policy, updates]));
      const sets = new Map([...parseSets(options.set, '--set', false)].map(([policy, [update]]) => [policy, update as PolicyUpdate]));
      const run = simulateFluxUpdate(root, env, sets, candidates);
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

/** `<policy>=<tag>[@digest]` (or, for --tags, a comma-separated list of them) by policy. */
function parseSets(sets: readonly string[], flag: string, list: boolean): Map<string, PolicyUpdate[]> {
  const updates = new Map<string, PolicyUpdate[]>();
  for (const set of sets) {
    const separator = set.indexOf('=');
    const values = separator > 0 ? set.slice(separator + 1).split(list ? ',' : /(?!)/) : [];
    const parsed = values.map((value) => parsePolicyUpdate(value.trim()));
    if (parsed.length === 0 || parsed.some((update) => update === undefined)) {
      throw new ConfigError({
        file: flag,
        line: 1,
        col: Math.max(separator + 2, 1),
        message: `"${set}" is not <policy>=<tag>[@sha256:<64 hex>]${list ? '[,<tag>…]' : ''}`,
        hint: `for example: ${flag} dev-web-web=main-4e5f6a7-1732160000@sha256:<digest>`,
      });
    }
    updates.set(set.slice(0, separator), parsed as PolicyUpdate[]);
  }
  return updates;
}
