import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { exampleRepository } from '../testing/example-repository.ts';
import { digestOf } from '../testing/overlay-fixture.ts';
import { runCommand } from '../testing/run-command.ts';
import { exampleCopies } from '../testing/temporary-copies.ts';

const copy = exampleCopies();
const NEXT = `main-4e5f6a7-1732160000@${digestOf('b')}`;

describe('manifold flux simulate', () => {
  it("prints the changes and commit message of dev's automation, and refuses malformed --set and a mixed mode", async () => {
    const root = exampleRepository();
    const run = await runCommand(root, ['flux', 'simulate', 'dev', '--set', `dev-web-web=${NEXT}`, '--json']);
    expect(run.err).toBe('');
    expect(run.code).toBe(0);
    const { changes, files, commitMessage } = JSON.parse(run.out) as { changes: { file: string; newValue: string }[]; files: string[]; commitMessage: string };
    expect(files).toContain('overlays/dev/images.yaml');
    expect(changes.find(({ file }) => file === 'overlays/dev/images.yaml')?.newValue).toBe(`ghcr.io/acme/web:${NEXT}`);
    expect(commitMessage).toMatch(/web/);

    const malformed = await runCommand(root, ['flux', 'simulate', 'dev', '--set', 'dev-web-web']);
    expect(malformed.code).toBe(2);
    expect(malformed.err).toMatch(/^--set: "dev-web-web" is not <policy>=<tag>\[@sha256:<64 hex>\]\n {2}hint: for example: --set /);
    const mixed = await runCommand(root, ['flux', 'simulate', 'dev', '--path', '.', '--policy', 'flux-system:web=ghcr.io/acme/web:1']);
    expect(mixed.code).toBe(2);
    expect(mixed.err).toMatch(/^error: give either <env> \(with --set\/--tags\) or --path <dir>/);
  });

  it('--write writes the files the Flux commit changes, and nothing when it would change nothing', async () => {
    const root = await copy();
    const run = await runCommand(root, ['flux', 'simulate', 'dev', '--set', `dev-web-web=${NEXT}`, '--write']);
    expect(run.code).toBe(0);
    expect(run.out).toMatch(/\nwrote \d+ file\(s\)\n$/);
    expect(await readFile(join(root, 'overlays/dev/images.yaml'), 'utf8')).toContain(
      `ref: ghcr.io/acme/web:${NEXT} # {"$imagepolicy": "flux-system:dev-web-web"}\n`,
    );
    const again = await runCommand(root, ['flux', 'simulate', 'dev', '--set', `dev-web-web=${NEXT}`]);
    expect(again.out).toBe('Flux would commit nothing\n');
  });
});
