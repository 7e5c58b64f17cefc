/**
 * `synth --check --shard k/n`: the shards split every environment's units (one per app, one for what
 * the environment generates) without overlap or gap, and together report exactly what the whole
 * check reports — stale, missing, orphaned and foreign files, and stale pin markers.
 */
import { appendFile, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { copyRepository, editFile, runManifold } from './temp-repo.ts';

interface CheckJson {
  current: boolean;
  units?: string[];
  overlays: string[];
  environments: Record<string, { stale: string[]; missing: string[]; orphaned: string[]; foreign: string[] }>;
}

/** Every finding of a check, as `<kind> <path>`. */
function findings(result: CheckJson): string[] {
  return [
    ...result.overlays.map((path) => `pins ${path}`),
    ...Object.values(result.environments).flatMap(({ stale, missing, orphaned, foreign }) => [
      ...stale.map((path) => `stale ${path}`),
      ...missing.map((path) => `missing ${path}`),
      ...orphaned.map((path) => `orphaned ${path}`),
      ...foreign.map((path) => `foreign ${path}`),
    ]),
  ].sort();
}

async function check(root: string, ...args: string[]): Promise<{ code: number | null; result: CheckJson }> {
  const run = await runManifold(root, ['synth', '--check', '--json', ...args]);
  expect([0, 1], run.stderr).toContain(run.code);
  return { code: run.code, result: JSON.parse(run.stdout) as CheckJson };
}

describe('synth --check --shard', () => {
  let root: string;
  beforeAll(async () => {
    root = await copyRepository();
  });

  it('splits the units of every environment into disjoint shards that cover them all', async () => {
    const all: string[] = [];
    for (const envs of ['dev', 'prod', 'staging']) {
      const apps = (await readFile(join(root, 'dist', envs, 'kustomization.yaml'), 'utf8')).match(/^ {2}- [a-z][^/]*\//gm) ?? [];
      all.push(`${envs}/(environment)`, ...new Set(apps.map((line) => `${envs}/${line.slice(4, -1)}`)));
    }
    for (const count of [1, 2, 3, 5]) {
      const units: string[] = [];
      for (let index = 1; index <= count; index++) {
        const { code, result } = await check(root, '--shard', `${index}/${count}`);
        expect(code).toBe(0);
        expect(result.current).toBe(true);
        units.push(...(result.units ?? []));
      }
      expect(units.sort(), `${count} shards`).toEqual([...all].sort());
    }
  });

  it('finds, across its shards, exactly what the whole check finds', async () => {
    // App code changed (web everywhere), a pin moved (staging csv-ingestor), a hand edit (prod ml-api),
    // a deleted file (staging postgres), an app's SecretStore deleted (dev),
    // a file synth generated earlier and no longer would (dev web), a foreign file, a lost pin marker.
    await editFile(join(root, 'apps/web/src/index.ts'), (text) => text.replace(/env: \{/, "env: {\n        SHARDED: 'yes',"));
    await editFile(join(root, 'overlays/staging/images.yaml'), (text) => text.replace('@sha256:5057280290a5', '@sha256:5057280290a6'));
    await editFile(join(root, 'dist/prod/ml-api/service-ml-api.yaml'), (text) => `${text}# edited by hand\n`);
    await rm(join(root, 'dist/staging/postgres/statefulset-postgres.yaml'));
    await rm(join(root, 'dist/dev/csv-ingestor/secretstore.external-secrets.io-pulumi-esc-csv-ingestor.yaml'));
    // As synth wrote it once (its label says so), then listed in the index: an orphan.
    await writeFile(
      join(root, 'dist/dev/web/configmap-retired.yaml'),
      'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  labels:\n    app.kubernetes.io/managed-by: manifold\n  name: retired\n',
    );
    await appendFile(join(root, 'dist/dev/.manifold-index'), `${'0'.repeat(64)}  web/configmap-retired.yaml\n`);
    await writeFile(join(root, 'dist/prod/jobs-manager/notes.yaml'), 'kept: true\n');
    await editFile(join(root, 'overlays/dev/images.yaml'), (text) => text.replace(/ # \{"\$imagepolicy": "flux-system:dev-web-web"\}/, ''));

    const whole = await check(root);
    expect(whole.code).toBe(1);
    const expected = findings(whole.result);
    for (const finding of [
      'stale dist/dev/web/deployment-web.yaml',
      'stale dist/staging/csv-ingestor/deployment-csv-ingestor.yaml',
      'stale dist/prod/ml-api/service-ml-api.yaml',
      'missing dist/staging/postgres/statefulset-postgres.yaml',
      'missing dist/dev/csv-ingestor/secretstore.external-secrets.io-pulumi-esc-csv-ingestor.yaml',
      'orphaned dist/dev/web/configmap-retired.yaml',
      'foreign dist/prod/jobs-manager/notes.yaml',
      'pins overlays/dev/images.yaml',
    ]) {
      expect(expected).toContain(finding);
    }
    for (const count of [2, 3, 4]) {
      const found: string[] = [];
      let failed = false;
      for (let index = 1; index <= count; index++) {
        const { code, result } = await check(root, '--shard', `${index}/${count}`);
        failed ||= code !== 0;
        expect(code === 0, `shard ${index}/${count}`).toBe(result.current);
        found.push(...findings(result));
      }
      expect(failed).toBe(true);
      expect([...new Set(found)].sort(), `${count} shards`).toEqual(expected);
    }
  });

  it('is refused without --check and with a shard outside 1..n', async () => {
    const write = await runManifold(root, ['synth', '--shard', '1/2']);
    expect(write.code).toBe(2);
    expect(write.stderr).toMatch(/--shard .* use it with --check/);
    for (const shard of ['3/2', '0/2', '2', 'a/b']) {
      const run = await runManifold(root, ['synth', '--check', '--shard', shard]);
      expect(run.code, shard).toBe(2);
      expect(run.stderr).toContain('expected k/n with 1 ≤ k ≤ n ≤ 1000');
    }
  });
});

describe('shard runners, each with the cache its shard saved', () => {
  type Apps = Record<string, { apps: { rendered: string[]; reused: string[] } }>;
  /** The app renders a shard's check built, as `<env>/<app>`. */
  const rendered = (result: CheckJson) =>
    Object.entries(result.environments as unknown as Apps)
      .flatMap(([env, { apps }]) => apps.rendered.map((app) => `${env}/${app}`))
      .sort();

  it('render again only what changed among their own units', async () => {
    // Two CI runners: a checkout and a cache each (each restores what its own shard saved last time).
    const runners = [await copyRepository(undefined, { ownCaches: true }), await copyRepository(undefined, { ownCaches: true })];
    try {
      const owned: string[][] = [];
      for (const [index, root] of runners.entries()) {
        const cold = await check(root, '--shard', `${index + 1}/2`);
        expect(cold.code).toBe(0);
        const apps = (cold.result.units ?? []).filter((unit) => !unit.endsWith('/(environment)')).sort();
        expect(rendered(cold.result)).toEqual(apps);
        owned.push(apps);
        // The same commit again: every render of the shard's units comes from its cache.
        const again = await check(root, '--shard', `${index + 1}/2`);
        expect(rendered(again.result)).toEqual([]);
      }
      // A commit edits web: each runner renders web only where its shard owns it, so web renders once per environment.
      const edited: string[] = [];
      for (const [index, root] of runners.entries()) {
        await editFile(join(root, 'apps/web/src/index.ts'), (text) => text.replace(/env: \{/, "env: {\n        SHARDED: 'yes',"));
        const { code, result } = await check(root, '--shard', `${index + 1}/2`);
        const own = (owned[index] ?? []).filter((unit) => unit.endsWith('/web'));
        expect(rendered(result)).toEqual(own);
        expect(code).toBe(own.length > 0 ? 1 : 0);
        edited.push(...rendered(result));
      }
      expect(edited.sort()).toEqual(['dev/web', 'prod/web', 'staging/web']);
    } finally {
      for (const root of runners) await rm(root, { recursive: true, force: true });
    }
  });
});
