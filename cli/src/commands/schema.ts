/** `manifold schema [--check]`: write the JSON Schemas editors use for overlays/<env>/*.yaml. */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Command } from 'commander';
import { renderJsonSchemas, SCHEMA_DIR } from '../config/json-schemas.ts';
import type { CliIo } from './cli-io.ts';

/** Adds the schema command to `program`. */
export function registerSchema(program: Command, io: CliIo): void {
  program
    .command('schema')
    .description(`Write JSON Schemas for environment.yaml and images.yaml into ${SCHEMA_DIR}/. Example: pnpm manifold schema --check`)
    .option('--check', 'fail (exit 1) if the committed schemas are out of date')
    .action(async (options: { check?: boolean }) => {
      const dir = join(io.root(), SCHEMA_DIR);
      const schemas = renderJsonSchemas();
      let changed = 0;
      for (const [name, text] of schemas) {
        const path = join(dir, name);
        const current = await readFile(path, 'utf8').catch(() => undefined);
        if (current === text) continue;
        changed += 1;
        if (options.check) {
          io.err(`${SCHEMA_DIR}/${name} is out of date: run pnpm manifold schema`);
          io.exit(1);
          continue;
        }
        await mkdir(dir, { recursive: true });
        await writeFile(path, text);
        io.out(`wrote ${SCHEMA_DIR}/${name}`);
      }
      if (changed === 0) io.out(`${SCHEMA_DIR}/ is current (${[...schemas.keys()].join(', ')})`);
    });
}
