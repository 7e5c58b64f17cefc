import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { digestOf } from '../testing/overlay-fixture.ts';
import { runCommand } from '../testing/run-command.ts';
import { exampleCopies } from '../testing/temporary-copies.ts';

const copy = exampleCopies();
const IMAGE = `ghcr.io/acme/hello:1.0.0@${digestOf('d')}`;

describe('manifold new and remove', () => {
  it('new app writes the app and pins it in the environments named; remove app takes both away again', async () => {
    const root = await copy();
    const refused = await runCommand(root, ['new', 'app', 'Hello', '--kind', 'web', '--image', IMAGE]);
    expect(refused.code).toBe(2);
    expect(refused.err).toMatch(/^argument 1: app name "Hello" is not a DNS-1123 label/);

    const created = await runCommand(root, ['new', 'app', 'hello', '--kind', 'web', '--image', IMAGE, '--env', 'dev']);
    expect(created.err).toBe('');
    expect(created.code).toBe(0);
    expect(created.out).toContain('created apps/hello/src/index.ts\n');
    expect(created.out).toMatch(/hello is deployed to dev; next: pnpm install && pnpm synth\n$/);
    expect(await readFile(join(root, 'overlays/dev/images.yaml'), 'utf8')).toMatch(
      /^hello:\n {2}hello:\n {4}ref: ghcr\.io\/acme\/hello:1\.0\.0@sha256:d{64}\n/m,
    );
    expect(await readFile(join(root, 'overlays/prod/images.yaml'), 'utf8')).not.toContain('hello');
    expect((await runCommand(root, ['synth'])).code).toBe(0);
    expect(await readFile(join(root, 'dist/dev/hello/deployment-hello.yaml'), 'utf8')).toContain(IMAGE);

    const removed = await runCommand(root, ['remove', 'app', 'hello', '--force']);
    expect(removed.err).toBe('');
    expect(removed.code).toBe(0);
    expect(await readFile(join(root, 'overlays/dev/images.yaml'), 'utf8')).not.toContain('hello');
  });

  it('new env starts an environment promoted from another with its pins; rename env moves it and what names it', async () => {
    const root = await copy();
    const created = await runCommand(root, ['new', 'env', 'qa', '--from', 'dev']);
    expect(created.err).toBe('');
    expect(created.code).toBe(0);
    const environment = await readFile(join(root, 'overlays/qa/environment.yaml'), 'utf8');
    expect(environment).toContain('promotesFrom: dev\n');
    expect(await readFile(join(root, 'overlays/qa/images.yaml'), 'utf8')).toContain(
      /^ {4}ref: (\S+)/m.exec(await readFile(join(root, 'overlays/dev/images.yaml'), 'utf8'))?.[1] ?? 'the first dev pin',
    );
    const taken = await runCommand(root, ['new', 'env', 'qa', '--from', 'dev']);
    expect(taken.err).toMatch(/^argument 1: overlays\/qa already exists/);

    const renamed = await runCommand(root, ['rename', 'env', 'qa', 'test']);
    expect(renamed.code, renamed.err).toBe(0);
    expect(await readFile(join(root, 'overlays/test/environment.yaml'), 'utf8')).toContain('promotesFrom: dev\n');
    // The Flux policies are named after the environment: the next synth renames them, as rename says.
    expect(renamed.out).toContain('next: pnpm synth');
    expect((await runCommand(root, ['synth'])).code).toBe(0);
    expect((await runCommand(root, ['synth', '--check'])).code).toBe(0);
  });
});
