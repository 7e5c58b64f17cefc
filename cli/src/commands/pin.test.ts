import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { digestOf } from '../testing/overlay-fixture.ts';
import { runCommand } from '../testing/run-command.ts';
import { exampleCopies } from '../testing/temporary-copies.ts';

const copy = exampleCopies();

describe('manifold pin', () => {
  it('sets a named pin (digest given, --no-verify), re-synthesizes, and reports the change', async () => {
    const root = await copy();
    const ref = `ghcr.io/acme/web:main-4e5f6a7-1732160000@${digestOf('b')}`;
    const run = await runCommand(root, ['pin', 'dev', `web=${ref}`, '--no-verify', '--by', 'manual', '--json']);
    expect(run.err).toBe('');
    expect(run.code).toBe(0);
    expect(JSON.parse(run.out)).toEqual([expect.objectContaining({ env: 'dev', image: 'web/web', to: ref, hold: false })]);
    expect(await readFile(join(root, 'overlays/dev/images.yaml'), 'utf8')).toContain(`    ref: ${ref} # {"$imagepolicy": "flux-system:dev-web-web"}\n`);
    expect(await readFile(join(root, 'dist/dev/web/deployment-web.yaml'), 'utf8')).toContain(ref);
  });

  it('adds a new pin named <app>/<image>, and refuses a name that is neither a pin nor two DNS-1123 labels', async () => {
    const root = await copy();
    const before = await readFile(join(root, 'overlays/dev/images.yaml'), 'utf8');
    const ref = `ghcr.io/acme/sidecar:1.0.0@${digestOf('c')}`;
    const refused = await runCommand(root, ['pin', 'dev', `web/Side_car=${ref}`, '--no-verify']);
    expect(refused.code).toBe(2);
    expect(refused.err).toMatch(
      /^argument 2: "web\/Side_car" is not a pin of dev, nor a new pin name <app>\/<image> \(two DNS-1123 labels\)\n {2}hint: pins of dev: web\/web, /,
    );
    const unknown = await runCommand(root, ['pin', 'dev', `web=${ref}`, `nope=${ref}`, '--no-verify']);
    expect(unknown.err).toMatch(/^argument 3: dev has no pin named "nope"\n {2}hint: pins of dev: .*; a new one is named <app>\/<image>\n$/);
    const malformed = await runCommand(root, ['pin', 'dev', 'web', '--no-verify']);
    expect(malformed.err).toMatch(/^argument 2: "web" is not <image>=<reference>\n/);
    expect(await readFile(join(root, 'overlays/dev/images.yaml'), 'utf8')).toBe(before);

    // An app without a pin in dev (its block taken out) gets one by its new name.
    await writeFile(join(root, 'overlays/dev/images.yaml'), before.replace(/^web:\n(?: {2}.*\n)+/m, ''));
    const added = await runCommand(root, ['pin', 'dev', `web/web=${ref}`, '--no-verify']);
    expect(added.err).toBe('');
    expect(added.code).toBe(0);
    expect(await readFile(join(root, 'overlays/dev/images.yaml'), 'utf8')).toMatch(/\nweb:\n {2}web:\n {4}ref: ghcr\.io\/acme\/sidecar:1\.0\.0@sha256:c{64}\n/);
  });
});
