import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { runCommand } from '../testing/run-command.ts';
import { exampleCopies } from '../testing/temporary-copies.ts';

const copy = exampleCopies();

describe('manifold esc', () => {
  it('refuses an environment without an esc: block at that file, and a missing token before any request, naming the variable only', async () => {
    vi.stubEnv('PULUMI_ACCESS_TOKEN', undefined);
    try {
      const root = await copy();
      const file = join(root, 'overlays/staging/environment.yaml');
      await writeFile(file, (await readFile(file, 'utf8')).replace(/^esc:\n(?: .*\n)*/m, ''));
      const none = await runCommand(root, ['esc', 'push', 'staging']);
      expect(none.code).toBe(2);
      expect(none.err).toMatch(
        /^overlays\/staging\/environment\.yaml:\d+:\d+: staging has no esc: block\n {2}hint: add esc: \{ organization, project, environment \} to environment\.yaml\n$/,
      );
      const noToken = await runCommand(root, ['esc', 'pull', 'dev', '--check']);
      expect(noToken.code).toBe(1);
      expect(noToken.err).toBe('no Pulumi access token: PULUMI_ACCESS_TOKEN is not set\n  hint: set PULUMI_ACCESS_TOKEN (a Pulumi access token for acme)\n');
      const badTimeout = await runCommand(root, ['esc', 'check', 'dev', '--esc-timeout', '0']);
      expect(badTimeout.code).toBe(2);
    } finally {
      vi.unstubAllEnvs();
    }
  });
});
