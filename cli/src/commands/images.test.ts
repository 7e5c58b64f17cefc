import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { exampleRepository } from '../testing/example-repository.ts';
import { runCommand } from '../testing/run-command.ts';
import { exampleCopies } from '../testing/temporary-copies.ts';

const copy = exampleCopies();

describe('manifold images and release', () => {
  it('images lists every pin of an environment with its reference', async () => {
    const root = exampleRepository();
    const run = await runCommand(root, ['images', 'dev', '--json']);
    expect(run.code).toBe(0);
    const rows = JSON.parse(run.out) as { env: string; image: string; repository: string; tag: string; digest: string; mode: string }[];
    const images = await readFile(join(root, 'overlays/dev/images.yaml'), 'utf8');
    expect(rows.length).toBe([...images.matchAll(/^ {4}ref: /gm)].length);
    expect(rows.every((row) => row.env === 'dev' && row.mode === 'auto' && images.includes(`    ref: ${row.repository}:${row.tag}@${row.digest}`))).toBe(true);
  });

  it('release lifts the hold a rollback set, giving the pin its Flux marker back; a pin not held is no change', async () => {
    const root = await copy();
    const file = join(root, 'overlays/prod/images.yaml');
    const prod = await readFile(file, 'utf8');
    expect((await runCommand(root, ['release', 'prod', 'web'])).err).toMatch(/^overlays\/prod\/images\.yaml:3:1: no pin named "web" is held in prod\n/);
    const held = prod.replace(/^(web:\n {2}web:\n {4}ref: \S+)( # \{.*\})?\n/m, '$1\n    hold: true\n');
    await writeFileAndSynth(root, file, held);
    const run = await runCommand(root, ['release', 'prod', 'web']);
    expect(run.code).toBe(0);
    const after = await readFile(file, 'utf8');
    expect(after).not.toContain('hold: true');
    expect(after).toMatch(/^web:\n {2}web:\n {4}ref: \S+ # \{"\$imagepolicy": "flux-system:prod-web-web"\}\n/m);
  });
});

async function writeFileAndSynth(root: string, file: string, text: string): Promise<void> {
  await writeFile(file, text);
  expect((await runCommand(root, ['synth', 'prod'])).code).toBe(0);
}
