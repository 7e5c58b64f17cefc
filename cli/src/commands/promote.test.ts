import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { exampleRepository } from '../testing/example-repository.ts';
import { runCommand } from '../testing/run-command.ts';
import { exampleCopies } from '../testing/temporary-copies.ts';

const copy = exampleCopies();

/** The ref line of `<app>/<image>` in an images.yaml. */
function refOf(images: string, app: string, image: string): string | undefined {
  return new RegExp(`^${app}:\\n(?: {2}.*\\n)*? {2}${image}:\\n {4}ref: (\\S+)`, 'm').exec(images)?.[1];
}

describe('manifold promote', () => {
  it('lists what would move on --dry-run and writes nothing; refuses one environment twice and an --only item that names nothing', async () => {
    const root = exampleRepository();
    const dev = await readFile(join(root, 'overlays/dev/images.yaml'), 'utf8');
    const prod = await readFile(join(root, 'overlays/prod/images.yaml'), 'utf8');
    const dry = await runCommand(root, ['promote', 'dev', 'prod', '--only', 'web,ml-api', '--dry-run', '--json']);
    expect(dry.code).toBe(0);
    type Ref = { repository: string; tag: string; digest: string };
    const { changes, held } = JSON.parse(dry.out) as { changes: { image: string; after: Ref }[]; held: string[] };
    expect(changes.map(({ image, after }) => [image, `${after.repository}:${after.tag}@${after.digest}`])).toEqual([
      ['ml-api/api', refOf(dev, 'ml-api', 'api')],
      ['web/web', refOf(dev, 'web', 'web')],
    ]);
    expect(await readFile(join(root, 'overlays/prod/images.yaml'), 'utf8')).toBe(prod);
    expect(held).toEqual([]);

    const twice = await runCommand(root, ['promote', 'dev', 'dev']);
    expect([twice.code, twice.err]).toEqual([2, 'error: promote needs two different environments, got "dev" twice\n']);
    const nothing = await runCommand(root, ['promote', 'dev', 'prod', '--only', 'web,,nope']);
    expect(nothing.code).toBe(2);
    expect(nothing.err).toMatch(/^--only: item 2 names nothing\n {2}hint: name pins, image names, repositories or apps of dev, comma-separated: web\/web, /);
    const unknown = await runCommand(root, ['promote', 'dev', 'prod', '--only', 'nope']);
    expect(unknown.err).toMatch(/^--only: dev has no pin or app named "nope"\n/);
  });

  it('moves the selected pins, skips one the target holds, and re-synthesizes the target', async () => {
    const root = await copy();
    const file = join(root, 'overlays/prod/images.yaml');
    const dev = await readFile(join(root, 'overlays/dev/images.yaml'), 'utf8');
    const prod = await readFile(file, 'utf8');
    await writeFile(file, prod.replace(/^(ml-api:\n {2}api:\n {4}ref: \S+\n)/m, '$1    hold: true\n'));
    const run = await runCommand(root, ['promote', 'dev', 'prod', '--only', 'web,ml-api']);
    expect(run.code).toBe(0);
    expect(run.err).toContain('skipped ml-api/api: held in prod (pnpm release prod ml-api/api first)\n');
    const after = await readFile(file, 'utf8');
    expect(refOf(after, 'web', 'web')).toBe(refOf(dev, 'web', 'web'));
    expect(refOf(after, 'ml-api', 'api')).toBe(refOf(prod, 'ml-api', 'api'));
    expect(after).toMatch(/^web:\n {2}web:\n(?: {4}.*\n)*? {4}source:\n {6}by: promote\n {6}from: dev\n/m);
    expect(await readFile(join(root, 'dist/prod/web/deployment-web.yaml'), 'utf8')).toContain(refOf(dev, 'web', 'web'));
  });
});
