/** The README's app template is what `manifold new app` writes: the same text, and it type-checks and lints as written. */
import { execFile, spawnSync } from 'node:child_process';
import { copyFile, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { copyRepository, REPO_ROOT, runManifold } from './temp-repo.ts';

const run = promisify(execFile);

/** The TypeScript block of the README's "Add an app" section. */
async function readmeTemplate(): Promise<string> {
  const readme = await readFile(join(REPO_ROOT, 'README.md'), 'utf8');
  const match = /```ts\n([\s\S]*?)```/.exec(readme.slice(readme.indexOf('## Add an app')));
  if (!match?.[1]) throw new Error('README has no ts block under "## Add an app"');
  return match[1];
}

/** A copy of the example with the app the README's command writes, and the root files a type-check needs. */
async function withReadmeApp(): Promise<string> {
  const root = await copyRepository();
  for (const file of ['tsconfig.json', 'tsconfig.base.json', 'package.json']) await copyFile(join(REPO_ROOT, file), join(root, file));
  const readme = await readFile(join(REPO_ROOT, 'README.md'), 'utf8');
  const command = /pnpm manifold (new app hello [^\n]+)/.exec(readme)?.[1];
  if (!command) throw new Error('README does not give the new app command');
  const args = command.replace('<64 hex digits>', 'a'.repeat(64)).split(' ');
  const created = await runManifold(root, args);
  if (created.code !== 0) throw new Error(`${command}: ${created.stderr}`);
  return root;
}

/** What `tsc` reports for the root project (the one `pnpm typecheck` checks). */
async function typeErrors(root: string): Promise<string> {
  try {
    await run(join(REPO_ROOT, 'node_modules/.bin/tsc'), ['-p', 'tsconfig.json'], { cwd: root });
    return '';
  } catch (error) {
    return String((error as { stdout?: string }).stdout);
  }
}

describe("the README's app template", () => {
  it('is what the README command writes, and passes pnpm typecheck and pnpm lint as it is', async () => {
    const template = await readmeTemplate();
    const root = await withReadmeApp();
    expect(await readFile(join(root, 'apps/hello/src/index.ts'), 'utf8')).toBe(template);
    expect(await typeErrors(root)).toBe('');
    // With --write on standard input, Biome prints the fixed file: unchanged means already formatted and lint-clean.
    const lint = spawnSync(join(REPO_ROOT, 'node_modules/.bin/biome'), ['check', '--write', '--stdin-file-path=apps/hello/src/index.ts'], {
      cwd: REPO_ROOT,
      input: template,
      encoding: 'utf8',
    });
    expect(lint.stderr).not.toMatch(/×/);
    expect(lint.status).toBe(0);
    expect(lint.stdout).toBe(template);
  });

  it('is type-checked: an env value that is not a string is a type error', async () => {
    const root = await withReadmeApp();
    const source = join(root, 'apps/hello/src/index.ts');
    const broken = (await readFile(source, 'utf8')).replace("LOG_LEVEL: 'info'", 'LOG_LEVEL: 42');
    await writeFile(source, broken);
    expect(await typeErrors(root)).toMatch(/apps\/hello\/src\/index\.ts\(\d+,\d+\): error TS2322: Type 'number' is not assignable to type 'string/);
  });
});
