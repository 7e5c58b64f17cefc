import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { digestOf } from '../testing/overlay-fixture.ts';
import { runCommand } from '../testing/run-command.ts';
import { exampleCopies } from '../testing/temporary-copies.ts';
import { git } from '../testing/test-git.ts';

const copy = exampleCopies();

describe('manifold rollback', () => {
  it('sets a pin back to the reference git history held before, holds it (no Flux marker), and records the commit', async () => {
    const root = await copy({ committed: true });
    const file = join(root, 'overlays/dev/images.yaml');
    const original = /^ {4}ref: (\S+)/m.exec(await readFile(file, 'utf8'))?.[1];
    const first = git(root, 'rev-parse', 'HEAD').trim();
    const next = `ghcr.io/acme/web:main-4e5f6a7-1732160000@${digestOf('b')}`;
    expect((await runCommand(root, ['pin', 'dev', `web=${next}`, '--no-verify'])).code).toBe(0);
    git(root, 'commit', '--quiet', '-am', 'pin web');

    const tooFar = await runCommand(root, ['rollback', 'dev', 'web', '--steps', '2']);
    expect(tooFar.code).toBe(2);
    expect(tooFar.err).toMatch(
      /^overlays\/dev\/images\.yaml:5:10: the git history of overlays\/dev\/images\.yaml has only 1 earlier reference\(s\) for web\/web\n/,
    );
    const badTo = await runCommand(root, ['rollback', 'dev', 'web', '--to', 'not a ref']);
    expect(badTo.code).toBe(2);
    expect(badTo.err).toMatch(/^--to: /);

    const run = await runCommand(root, ['rollback', 'dev', 'web', '--json']);
    expect(run.err).toBe('');
    expect(run.code).toBe(0);
    const after = await readFile(file, 'utf8');
    // Held, so the Flux marker is gone: the automation cannot move it back.
    expect(/^web:\n {2}web:\n {4}ref: (\S+)\n/m.exec(after)?.[1]).toBe(original);
    expect(after).toContain(`    hold: true\n    source:\n      by: rollback\n      commit: ${first}\n`);
  });
});
