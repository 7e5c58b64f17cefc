import { describe, expect, it } from 'vitest';
import { copyRepository, runManifold, snapshot } from './temp-repo.ts';

const DIGEST = `sha256:${'e'.repeat(64)}`;

describe('flux simulate with the policy choosing', () => {
  it('refuses a tag the policy would never select, writing nothing', async () => {
    const root = await copyRepository();
    const before = await snapshot(root);
    const run = await runManifold(root, ['flux', 'simulate', 'dev', '--set', `web/web=latest@${DIGEST}`, '--write']);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/^overlays\/dev\/images\.yaml:\d+:\d+: policy dev-web-web would never select tag "latest"/);
    expect(await snapshot(root)).toEqual(before);
  });

  it('picks the newest of --tags by the extracted number, as the ImagePolicy would', async () => {
    const root = await copyRepository();
    const tags = [`main-bbbbbbb-999999999@${DIGEST}`, `main-ccccccc-1999999999@${DIGEST}`, `latest@${DIGEST}`, `main-aaaaaaa-1800000000@${DIGEST}`];
    const run = await runManifold(root, ['flux', 'simulate', 'dev', '--tags', `web/web=${tags.join(',')}`, '--json']);
    expect(run.code).toBe(0);
    const { changes } = JSON.parse(run.stdout) as { changes: { newValue: string }[] };
    expect(new Set(changes.map((change) => change.newValue))).toEqual(new Set([`ghcr.io/acme/web:main-ccccccc-1999999999@${DIGEST}`]));
  });

  it('keeps the pin when every listed tag ranks below it', async () => {
    const root = await copyRepository();
    const run = await runManifold(root, ['flux', 'simulate', 'dev', '--tags', `web/web=main-bbbbbbb-999999999@${DIGEST}`]);
    expect(run.code).toBe(0);
    expect(run.stdout.trim()).toBe('Flux would commit nothing');
  });
});
