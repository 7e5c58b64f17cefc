import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCommand } from '../testing/run-command.ts';
import { exampleCopies } from '../testing/temporary-copies.ts';

const copy = exampleCopies();

describe('the commands that keep generated repository files current', () => {
  it('schema --check names a missing schema; schema writes both; then --check is quiet', async () => {
    const root = await copy();
    const stale = await runCommand(root, ['schema', '--check']);
    expect(stale.code).toBe(1);
    expect(stale.err).toContain('cli/schema/environment.schema.json is out of date: run pnpm manifold schema\n');
    expect((await runCommand(root, ['schema'])).out).toBe('wrote cli/schema/environment.schema.json\nwrote cli/schema/images.schema.json\n');
    expect(JSON.parse(await readFile(join(root, 'cli/schema/environment.schema.json'), 'utf8'))).toHaveProperty('properties.verify');
    expect(await runCommand(root, ['schema', '--check'])).toMatchObject({ code: 0, err: '' });
  });

  it("renovate writes the pin rules beside the team's own settings, and --check fails until it has", async () => {
    const root = await copy();
    await writeFile(join(root, 'renovate.json'), '{\n  "extends": ["config:recommended"],\n  "timezone": "Europe/Berlin"\n}\n');
    const stale = await runCommand(root, ['renovate', '--check']);
    expect(stale.code).toBe(1);
    expect((await runCommand(root, ['renovate'])).code).toBe(0);
    const config = JSON.parse(await readFile(join(root, 'renovate.json'), 'utf8')) as { timezone: string; customManagers: { description: string }[] };
    expect(config.timezone).toBe('Europe/Berlin');
    expect(config.customManagers[0]?.description).toMatch(/^manifold: /);
    expect((await runCommand(root, ['renovate', '--check'])).code).toBe(0);
  });

  it('board writes the release board of a repository with git history', async () => {
    const root = await copy({ committed: true });
    const run = await runCommand(root, ['board', '--out', 'site']);
    expect(run.code, run.err).toBe(0);
    const page = await readFile(join(root, 'site/index.html'), 'utf8');
    for (const env of ['dev', 'staging', 'prod']) expect(page).toContain(`data-env="${env}"`);
  });
});
