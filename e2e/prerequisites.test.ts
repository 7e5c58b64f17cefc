/** `pnpm test` stops at once, in one line, when a tool its tests need is missing. */
import { spawnSync } from 'node:child_process';
import { mkdtemp, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from './temp-repo.ts';

const SCRIPT = join(REPO_ROOT, 'e2e/prerequisites.mjs');

describe('the test prerequisites check', () => {
  it('names every missing tool and how to install it, in one line, exit 1', async () => {
    // A PATH with git alone (and node itself, run by its absolute path).
    const bin = await mkdtemp(join(tmpdir(), 'manifold-bin-'));
    const git = spawnSync('sh', ['-c', 'command -v git'], { encoding: 'utf8' }).stdout.trim();
    await symlink(git, join(bin, 'git'));
    const run = spawnSync(process.execPath, [SCRIPT], { encoding: 'utf8', env: { PATH: bin, CHROMIUM_PATH: join(bin, 'no-chromium') } });
    expect(run.status).toBe(1);
    expect(run.stdout).toBe('');
    const lines = run.stderr.trimEnd().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(
      /^The tests need kubectl \(install kubectl [^)]+\)\), strace \(apt-get install strace\), chromium \(apt-get install chromium\).*; on Debian or Ubuntu, pnpm test:setup installs the apt packages\.$/,
    );
  });

  it('passes quietly where every tool is present', () => {
    const run = spawnSync(process.execPath, [SCRIPT], { encoding: 'utf8' });
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
  });
});
