import { ImageRef } from '@manifold/constructs/core';
import { describe, expect, it } from 'vitest';
import { type Environment, loadEnvironment } from '../config/load-environment.ts';
import { digestOf, writeOverlay } from '../testing/overlay-fixture.ts';
import { EscError } from './esc-error.ts';
import { type EscDefinitionStore, escDrift, pushPins } from './esc-sync.ts';

const ENVIRONMENT = `namespace: team-dev
domain: dev.example.com
sizes:
  small: { replicas: 1, cpu: 100m, memory: 128Mi }
esc:
  organization: acme
  project: platform
  environment: dev
  images:
    web/web: images.web
`;
const WEB = `ghcr.io/acme/web:1.2.0@${digestOf('a')}`;
const API = `ghcr.io/acme/api:2.0.0@${digestOf('b')}`;

async function environment(): Promise<Environment & { esc: NonNullable<Environment['esc']> }> {
  const env = await loadEnvironment(await writeOverlay('dev', ENVIRONMENT, `web:\n  web:\n    ref: ${WEB}\napi:\n  api:\n    ref: ${API}\n`), 'dev');
  if (!env.esc) throw new Error('the fixture has an esc: block');
  return { ...env, esc: env.esc };
}

/** An ESC definition held in memory with ESC's concurrency contract: a write names the ETag it read; `conflicts` writes lose to another writer first. */
function definitionStore(yaml: string, conflicts = 0): EscDefinitionStore & { yaml: string; writes: number } {
  let revision = 1;
  return {
    name: 'acme/platform/dev',
    yaml,
    writes: 0,
    async readDefinition() {
      return { yaml: this.yaml, etag: `"${revision}"`, revision: String(revision) };
    },
    async writeDefinition(next, etag) {
      if (conflicts > 0) {
        conflicts--;
        revision++;
        this.yaml = `${this.yaml}# edited by someone else (${revision})\n`;
      }
      if (etag !== `"${revision}"`) throw new EscError('ESC acme/platform/dev: changed meanwhile', 'read it again', 409);
      this.writes++;
      this.yaml = next;
      return { revision: String(++revision) };
    },
  };
}

describe('escDrift', () => {
  it('compares a digest-carrying value with the reference, a tag-only value with repository and tag, and skips images without a pin', async () => {
    const env = await environment();
    const image = (key: string, ref: string) => ({ key, ref: ImageRef.parseTagged(ref), from: `dev ${key}` });
    const drift = escDrift(env, [
      image('web/web', WEB),
      image('api/api', 'ghcr.io/acme/api:2.0.0'),
      image('web/web', `ghcr.io/acme/web:1.2.0@${digestOf('f')}`),
      image('api/api', 'ghcr.io/acme/api:2.1.0'),
      image('other/other', 'ghcr.io/acme/other:1'),
    ]);
    expect(drift.map(({ key, ref }) => `${key} ${ref.value}`)).toEqual([`web/web ghcr.io/acme/web:1.2.0@${digestOf('f')}`, 'api/api ghcr.io/acme/api:2.1.0']);
  });
});

describe('pushPins', () => {
  const DEFINITION = '# platform images\nvalues:\n  images:\n    web: old # kept comment\n  other: 1\n';

  it('writes every pin, keeping other keys and comments, and reports a definition already current', async () => {
    const env = await environment();
    const store = definitionStore(DEFINITION);
    expect(await pushPins(env, store)).toEqual({ kind: 'written', revision: '2', values: 2 });
    expect(store.yaml).toContain(`    web: ${WEB} # kept comment\n`);
    expect(store.yaml).toContain(`  other: 1\n  manifold:\n    images:\n      api:\n        api: ${API}\n`);
    expect(await pushPins(env, store)).toEqual({ kind: 'current', revision: '2' });
    expect(store.writes).toBe(1);
  });

  it('shows the change without writing on a dry run', async () => {
    const store = definitionStore(DEFINITION);
    const result = await pushPins(await environment(), store, { dryRun: true });
    expect(result).toMatchObject({ kind: 'dry-run', before: DEFINITION });
    expect(store.writes).toBe(0);
  });

  it('reads again and re-applies after a conflict, up to four attempts', async () => {
    const env = await environment();
    const retries: number[] = [];
    const store = definitionStore(DEFINITION, 3);
    expect(await pushPins(env, store, { onRetry: (attempt) => retries.push(attempt) })).toMatchObject({ kind: 'written' });
    expect(retries).toEqual([2, 3, 4]);
    expect(store.yaml).toContain('# edited by someone else (4)\n');
    const busy = definitionStore(DEFINITION, 4);
    await expect(pushPins(env, busy)).rejects.toMatchObject({ status: 409 });
    expect(busy.writes).toBe(0);
  });
});
