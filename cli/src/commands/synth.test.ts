import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCommand } from '../testing/run-command.ts';
import { exampleCopies } from '../testing/temporary-copies.ts';

const copy = exampleCopies();

describe('manifold synth', () => {
  it('--check names a generated file edited by hand; synth refuses to overwrite it without --force, then restores it', async () => {
    const root = await copy();
    expect(await runCommand(root, ['synth', '--check'])).toMatchObject({ code: 0, err: '' });
    const file = join(root, 'dist/dev/web/deployment-web.yaml');
    const generated = await readFile(file, 'utf8');
    await writeFile(file, generated.replace('replicas: 1', 'replicas: 7'));

    const check = await runCommand(root, ['synth', '--check']);
    expect(check.code).toBe(1);
    expect(`${check.out}${check.err}`).toContain('dist/dev/web/deployment-web.yaml');
    const refused = await runCommand(root, ['synth', 'dev']);
    expect(refused.code).not.toBe(0);
    expect(refused.err).toContain('dist/dev/web/deployment-web.yaml');
    expect(await readFile(file, 'utf8')).toContain('replicas: 7');

    expect((await runCommand(root, ['synth', 'dev', '--force'])).code).toBe(0);
    expect(await readFile(file, 'utf8')).toBe(generated);
    expect((await runCommand(root, ['synth', 'nope'])).code).toBe(2);
  });
});
