import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { listTree } from '../files/file-tree.ts';
import { runCommand } from '../testing/run-command.ts';

const folders: string[] = [];
afterEach(async () => {
  for (const folder of folders.splice(0)) await rm(folder, { recursive: true, force: true });
});

async function parent(): Promise<string> {
  const folder = await mkdtemp(join(tmpdir(), 'manifold-init-'));
  folders.push(folder);
  return folder;
}

/** Every file below `dir`, relative, sorted. */
function files(dir: string): string[] {
  return listTree(dir)
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name).slice(dir.length + 1))
    .sort();
}

describe('manifold init', () => {
  it('names its own environments in the overlays and every workflow, chained by promotesFrom', async () => {
    const where = await parent();
    const team = join(where, 'payments');
    const run = await runCommand(where, [
      'init',
      team,
      '--envs',
      'qa,live',
      '--delivery',
      'flux',
      '--repository',
      'ssh://git@git.example.com/pay/platform.git',
    ]);
    expect(run.err).toBe('');
    expect(run.code).toBe(0);
    expect(await readdir(join(team, 'overlays'))).toEqual(['live', 'qa']);
    const live = await readFile(join(team, 'overlays/live/environment.yaml'), 'utf8');
    expect(live).toContain('namespace: payments-live\npromotesFrom: qa\n');
    expect(live).toContain('requireDigests: true\n');
    expect(live).toContain('delivery:\n  tool: flux\n  repository: ssh://git@git.example.com/pay/platform.git\n');
    const workflows = files(join(team, '.github'));
    expect(workflows).toContain('workflows/promote.yml');
    expect(workflows).not.toContain('scripts/node-lines.mjs');
    for (const path of workflows.filter((file) => file.startsWith('workflows/'))) {
      const text = await readFile(join(team, '.github', path), 'utf8');
      expect(text, path).not.toMatch(/(?<![/.\-\w])(dev|staging|prod)(?![-/.\w])/);
    }
    expect(await readFile(join(team, '.github/workflows/promote.yml'), 'utf8')).toContain('options: [qa]\n        default: qa\n');
    const ci = await readFile(join(team, '.github/workflows/ci.yml'), 'utf8');
    expect(ci).toContain('run: pnpm check\n');
    expect(ci).not.toMatch(/pnpm test|node-lines|CHROMIUM_PATH/);
    // The example image (nginx) answers its probes on /, so the example is healthy where it is deployed.
    expect(await readFile(join(team, 'apps/web/src/index.ts'), 'utf8')).toContain("healthPath: '/',");
    const pkg = JSON.parse(await readFile(join(team, 'package.json'), 'utf8')) as { dependencies: Record<string, string> };
    expect(Object.keys(pkg.dependencies)).toEqual(['@manifold/cli', '@manifold/constructs', 'cdk8s', 'cdk8s-plus-28', 'constructs']);
  });

  it('refuses bad names and a folder that is not empty, writing nothing; with --force it adds beside, never over, a file', async () => {
    const where = await parent();
    const badEnv = await runCommand(where, ['init', join(where, 'a'), '--envs', 'dev,Prod']);
    expect([badEnv.code, badEnv.err]).toEqual([2, '--envs: "Prod" is not a DNS-1123 label\n  hint: for example: --envs dev,staging,prod\n']);
    const twice = await runCommand(where, ['init', join(where, 'a'), '--envs', 'dev,dev']);
    expect(twice.err).toMatch(/^--envs: "dev" is named twice\n/);
    const badName = await runCommand(where, ['init', join(where, 'My_Platform')]);
    expect(badName.err).toMatch(/^argument 1: "My_Platform" cannot name a package and namespaces: use a DNS-1123 label\n/);
    expect(await readdir(where)).toEqual([]);

    const team = join(where, 'team');
    await runCommand(where, ['init', team]).then(({ code }) => expect(code).toBe(0));
    await rm(join(team, 'README.md'));
    await writeFile(join(team, 'package.json'), '{ "name": "mine" }\n');
    const notEmpty = await runCommand(where, ['init', team]);
    expect(notEmpty.err).toMatch(/ is not empty\n {2}hint: choose a new folder, or pass --force/);
    const clash = await runCommand(where, ['init', team, '--force']);
    expect(clash.code).toBe(2);
    expect(clash.err).toMatch(
      /already has package\.json, pnpm-workspace\.yaml, turbo\.json …\n {2}hint: move them away first: init never overwrites a file\n$/,
    );
    expect(await readFile(join(team, 'package.json'), 'utf8')).toBe('{ "name": "mine" }\n');
  });
});
