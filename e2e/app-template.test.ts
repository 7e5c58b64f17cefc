/** The README's app template is what a new user copies: it must type-check with pnpm typecheck and pass pnpm lint. */
import { execFile, spawnSync } from 'node:child_process';
import { copyFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { copyRepository, REPO_ROOT } from './temp-repo.ts';

const run = promisify(execFile);

/** The TypeScript block of the README's "Add an app" section. */
async function readmeTemplate(): Promise<string> {
  const readme = await readFile(join(REPO_ROOT, 'README.md'), 'utf8');
  const match = /```ts\n([\s\S]*?)```/.exec(readme.slice(readme.indexOf('## Add an app')));
  if (!match?.[1]) throw new Error('README has no ts block under "## Add an app"');
  return match[1];
}

/** What `tsc` reports for the root project (the one `pnpm typecheck` checks) of a copy with `app` as apps/hello. */
async function typeErrors(app: string): Promise<string> {
  const root = await copyRepository();
  for (const file of ['tsconfig.json', 'tsconfig.base.json']) await copyFile(join(REPO_ROOT, file), join(root, file));
  await mkdir(join(root, 'apps/hello/src'), { recursive: true });
  await writeFile(join(root, 'apps/hello/src/index.ts'), app);
  // The package.json the README tells the user to create.
  const readme = await readFile(join(REPO_ROOT, 'README.md'), 'utf8');
  const packageJson = /Create `apps\/<name>\/package\.json` \(`(\{[^`]+\})`\)/.exec(readme)?.[1];
  if (!packageJson) throw new Error('README does not give the package.json of a new app');
  await writeFile(join(root, 'apps/hello/package.json'), packageJson.replaceAll('<name>', 'hello').replaceAll('\n', ' '));
  try {
    await run(join(REPO_ROOT, 'node_modules/.bin/tsc'), ['-p', 'tsconfig.json'], { cwd: root });
    return '';
  } catch (error) {
    return String((error as { stdout?: string }).stdout);
  }
}

describe("the README's app template", () => {
  it('passes pnpm typecheck and pnpm lint as it is', async () => {
    const template = await readmeTemplate();
    expect(template).toContain('defineApp({');
    expect(await typeErrors(template)).toBe('');
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
    const template = await readmeTemplate();
    const broken = template.replace("LOG_LEVEL: 'info'", 'LOG_LEVEL: 42');
    expect(broken).not.toBe(template);
    expect(await typeErrors(broken)).toMatch(/apps\/hello\/src\/index\.ts\(\d+,\d+\): error TS2322: Type 'number' is not assignable to type 'string/);
  });
});
