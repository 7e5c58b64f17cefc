import { ImageRef } from '@manifold/constructs/core';
import { describe, expect, it } from 'vitest';
import { loadEnvironment, type Pin } from '../config/load-environment.ts';
import { ConfigError } from '../errors/config-error.ts';
import { digestOf, ENVIRONMENT_YAML, writeOverlay } from '../testing/overlay-fixture.ts';
import { rollbackTarget } from './rollback-target.ts';

const REPO = 'ghcr.io/acme/web';
const current = `${REPO}:3@${digestOf('c')}`;
const history = [
  { ref: current, commit: 'c3' },
  { ref: `${REPO}:2@${digestOf('b')}`, commit: 'c2' },
  { ref: `${REPO}:1`, commit: 'c1' },
];

async function pin(): Promise<Pin> {
  const env = await loadEnvironment(await writeOverlay('prod', ENVIRONMENT_YAML, `web:\n  web:\n    ref: ${current}\n`), 'prod');
  return env.pins.get('web/web') as Pin;
}

describe('rollbackTarget', () => {
  it('counts steps over the references other than the current one', async () => {
    expect(rollbackTarget(await pin(), history, { steps: 1 })).toEqual(history[1]);
    expect(rollbackTarget(await pin(), history, { steps: 2 })).toEqual(history[2]);
  });

  it('refuses more steps than the history holds, at the pin, saying how many there are', async () => {
    const p = await pin();
    const error = (() => {
      try {
        rollbackTarget(p, history, { steps: 3 });
      } catch (caught) {
        return caught as ConfigError;
      }
    })();
    expect(error).toBeInstanceOf(ConfigError);
    expect(error?.format()).toBe(
      'overlays/prod/images.yaml:3:10: the git history of overlays/prod/images.yaml has only 2 earlier reference(s) for web/web\n  hint: use --steps 2 or less, or --to <ref>',
    );
  });

  it('takes a named reference from history when history has its digest, else asks the registry', async () => {
    const p = await pin();
    // By tag alone: the history's entry with that tag and a digest.
    expect(rollbackTarget(p, history, { to: ImageRef.parseTagged(`${REPO}:2`) })).toEqual(history[1]);
    // The history's entry for tag 1 has no digest: the registry gives it.
    const tagOnly = ImageRef.parseTagged(`${REPO}:1`);
    expect(rollbackTarget(p, history, { to: tagOnly })).toEqual({ resolve: tagOnly });
    // A reference history never held: the registry checks it.
    const unknown = ImageRef.parseTagged(`${REPO}:0@${digestOf('a')}`);
    expect(rollbackTarget(p, history, { to: unknown })).toEqual({ resolve: unknown });
  });
});
