import { describe, expect, it } from 'vitest';
import { digestOf } from '../testing/overlay-fixture.ts';
import { runCommand } from '../testing/run-command.ts';
import { exampleCopies } from '../testing/temporary-copies.ts';

const copy = exampleCopies();

describe('manifold diff', () => {
  it('names the pins and objects a working tree moves against a revision, and refuses a revision git does not know', async () => {
    const root = await copy({ committed: true });
    const next = `ghcr.io/acme/web:main-4e5f6a7-1732160000@${digestOf('b')}`;
    expect((await runCommand(root, ['pin', 'dev', `web=${next}`, '--no-verify'])).code).toBe(0);
    const run = await runCommand(root, ['diff', '--base', 'main', '--json']);
    expect(run.err).toBe('');
    expect(run.code).toBe(0);
    const review = JSON.parse(run.out) as {
      images: { env: string; image: string }[];
      environments: { env: string; changed: { file: string }[]; added: unknown[]; removed: unknown[] }[];
    };
    expect(review.images.map(({ env, image }) => `${env} ${image}`)).toEqual(['dev web/web']);
    const dev = review.environments.find(({ env }) => env === 'dev');
    expect(dev?.changed.map(({ file }) => file)).toEqual(['web/deployment-web.yaml']);
    expect(
      review.environments.filter(({ env }) => env !== 'dev').every(({ changed, added, removed }) => changed.length + added.length + removed.length === 0),
    ).toBe(true);
    const unknown = await runCommand(root, ['diff', '--base', 'no-such-branch']);
    expect(unknown.code).toBe(2);
    expect(unknown.err).toMatch(/^--base: /);
  });
});
