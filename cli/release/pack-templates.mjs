#!/usr/bin/env node
// Before `pnpm pack` of @manifold/cli: copies the reference repository's .github/ (workflows, the setup
// action, the scripts they run) into templates/github/, which `manifold init` writes into a new
// repository; with --remove (after packing) takes the copy away again, so the one source stays .github/.
import { cpSync, existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';

const cliRoot = join(import.meta.dirname, '..');
const target = join(cliRoot, 'templates');
rmSync(target, { recursive: true, force: true });
if (!process.argv.includes('--remove')) {
  const source = join(cliRoot, '..', '.github');
  if (!existsSync(join(source, 'workflows'))) throw new Error(`no workflows in ${source}: pack @manifold/cli from the Manifold repository`);
  for (const folder of ['workflows', 'actions', 'scripts']) cpSync(join(source, folder), join(target, 'github', folder), { recursive: true });
}
