/**
 * The supported Node.js lines are package.json's engines range, said once: the packages, the launcher,
 * the workflows (through .node-version) and the README agree, and the launcher refuses any other Node.js
 * in one line naming the range (tried with a real Node.js 20 from the npm registry).
 */
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import semver from 'semver';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { copyRepository, REPO_ROOT } from './temp-repo.ts';

const run = promisify(execFile);
const readJson = async (path: string) => JSON.parse(await readFile(join(REPO_ROOT, path), 'utf8')) as { engines?: { node?: string } };

describe('the Node.js runtime', () => {
  it('is one engines range, shared by every package, the workflows and the README', async () => {
    const range = (await readJson('package.json')).engines?.node ?? '';
    expect(semver.validRange(range)).not.toBeNull();
    for (const pkg of ['cli/package.json', 'constructs/package.json']) expect((await readJson(pkg)).engines?.node, pkg).toBe(range);
    const defaultLine = (await readFile(join(REPO_ROOT, '.node-version'), 'utf8')).trim();
    expect(semver.satisfies(`${defaultLine}.999.0`, range)).toBe(true);
    expect(semver.satisfies(process.versions.node, range)).toBe(true);
    const setup = parse(await readFile(join(REPO_ROOT, '.github/actions/setup/action.yml'), 'utf8')) as {
      runs: { steps: { with?: Record<string, string> }[] };
    };
    const node = setup.runs.steps.find((step) => step.with?.['node-version-file']);
    expect(node?.with?.['node-version-file']).toBe('.node-version');
    const { stdout } = await run(process.execPath, [join(REPO_ROOT, '.github/scripts/node-lines.mjs')]);
    const others = JSON.parse(stdout) as string[];
    expect(others).not.toContain(defaultLine);
    for (const line of others) expect(semver.satisfies(`${line}.999.0`, range), line).toBe(true);
    expect(await readFile(join(REPO_ROOT, 'README.md'), 'utf8')).toContain(`Node.js ${range}`);
  });

  it('is refused by the launcher outside that range, in one line naming it', async () => {
    const range = (await readJson('package.json')).engines?.node ?? '';
    // A real Node.js 20 (end of life), from the npm registry like every Node.js CI runs on.
    const bin = (await run('bash', [join(REPO_ROOT, '.ci/node.sh'), '20'], { timeout: 300_000 })).stdout.trim();
    const root = await copyRepository();
    const old = await run(join(bin, 'node'), [join(REPO_ROOT, 'cli/bin/manifold.mjs'), 'synth', '--check'], { cwd: root }).then(
      () => ({ code: 0, stderr: '', version: '' }),
      (error: { code: number; stderr: string }) => ({ ...error, version: '' }),
    );
    const version = (await run(join(bin, 'node'), ['--version'])).stdout.trim();
    expect(version).toMatch(/^v20\./);
    expect(old.code).toBe(2);
    expect(old.stderr).toBe(`manifold needs Node.js ${range}; this is ${version}\n`);
  }, 300_000);
});
