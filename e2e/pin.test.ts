import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { credentialVariable } from '../cli/src/registry/registry-credentials.ts';
import { startRegistry, type TestRegistry } from './registry/docker-registry.ts';
import { startFaultRegistry } from './registry/fault-registry.ts';
import { pushImage } from './registry/push-image.ts';
import { copyRepository, runManifold, snapshot } from './temp-repo.ts';

describe('pnpm pin', () => {
  let registry: TestRegistry;
  let secured: TestRegistry;
  beforeAll(async () => {
    registry = await startRegistry('open');
    secured = await startRegistry('token');
  });
  afterAll(async () => {
    await registry.stop();
    await secured.stop();
  });

  const insecure = (host: string) => ['--insecure-registry', host];

  it('resolves the digest, keeps the marker and policy, records provenance and re-synthesizes', async () => {
    const root = await copyRepository();
    const digest = await pushImage(registry, 'acme/web', 'main-aaaaaaa-1733000000', 'oci-index');
    const ref = `${registry.host}/acme/web:main-aaaaaaa-1733000000`;
    const run = await runManifold(root, ['pin', 'dev', `web/web=${ref}`, ...insecure(registry.host)], {
      env: { CI: 'true', GITHUB_SHA: '3f2c1e9aaaabbbbccccddddeeeeffff000011112', GITHUB_RUN_ID: '987654', GITHUB_ACTOR: 'octocat' },
    });
    expect(run.stderr).toBe(`resolving ${ref}\n`);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(`dev web/web: ghcr.io/acme/web:main-3f2c1e9-1732150000@sha256:4a916b87`);
    const images = await readFile(join(root, 'overlays/dev/images.yaml'), 'utf8');
    expect(images).toContain(`    ref: ${ref}@${digest} # {"$imagepolicy": "flux-system:dev-web-web"}\n    update:\n`);
    expect(images).toContain('    source:\n      by: ci\n      commit: 3f2c1e9aaaabbbbccccddddeeeeffff000011112\n      run: "987654"\n      actor: octocat\n');
    expect(await readFile(join(root, 'dist/dev/web/deployment-web.yaml'), 'utf8')).toContain(`image: ${ref}@${digest} # {"$imagepolicy"`);
    expect(await readFile(join(root, `dist/dev/_flux/imagerepository-dev-127-0-0-1-${registry.host.split(':')[1]}-acme-web.yaml`), 'utf8')).toContain(
      `image: ${registry.host}/acme/web`,
    );
    expect((await runManifold(root, ['synth', '--check'])).code).toBe(0);
  });

  it('pins every use of an image name at once, like kustomize edit set image', async () => {
    const root = await copyRepository();
    const digest = await pushImage(registry, 'acme/csv-ingestor', 'main-bbbbbbb-1733000000', 'docker-list');
    const run = await runManifold(root, ['pin', 'staging', `ingestor=${registry.host}/acme/csv-ingestor:main-bbbbbbb-1733000000`, ...insecure(registry.host)]);
    expect(run.code).toBe(0);
    const images = await readFile(join(root, 'overlays/staging/images.yaml'), 'utf8');
    expect(images.split(`${registry.host}/acme/csv-ingestor:main-bbbbbbb-1733000000@${digest}`)).toHaveLength(3);
  });

  it('writes nothing when one of several images fails', async () => {
    const root = await copyRepository();
    await pushImage(registry, 'acme/web', 'main-ccccccc-1733000000', 'manifest');
    const before = await snapshot(root);
    const run = await runManifold(root, [
      'pin',
      'dev',
      `web/web=${registry.host}/acme/web:main-ccccccc-1733000000`,
      `ml-api/api=${registry.host}/acme/ml-api:main-does-not-exist`,
      ...insecure(registry.host),
    ]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(`${registry.host}/acme/ml-api:main-does-not-exist is not in the registry`);
    expect(await snapshot(root)).toEqual(before);
  });

  it('verifies a given digest, and skips that with --no-verify', async () => {
    const root = await copyRepository();
    const missing = `${registry.host}/acme/web:main-ddddddd-1733000000@sha256:${'d'.repeat(64)}`;
    const refused = await runManifold(root, ['pin', 'dev', `web/web=${missing}`, ...insecure(registry.host)]);
    expect(refused.code).toBe(1);
    const unverified = await runManifold(root, ['pin', 'dev', `web/web=${missing}`, '--no-verify']);
    expect(unverified.code).toBe(0);
    expect(await readFile(join(root, 'overlays/dev/images.yaml'), 'utf8')).toContain(missing);
  });

  it('authenticates with credentials from the environment, and never prints them', async () => {
    const root = await copyRepository();
    const digest = await pushImage(secured, 'acme/web', 'main-eeeeeee-1733000000', 'manifest');
    const variable = credentialVariable(secured.host) ?? '';
    const ref = `${secured.host}/acme/web:main-eeeeeee-1733000000`;
    const denied = await runManifold(root, ['pin', 'dev', `web/web=${ref}`, ...insecure(secured.host)], {
      env: { [variable]: 'tester:wrong-password-123', MANIFOLD_TRUSTED_TOKEN_REALMS: secured.tokenRealm },
    });
    expect(denied.code).toBe(1);
    expect(denied.stderr + denied.stdout).not.toContain('wrong-password-123');
    const run = await runManifold(root, ['pin', 'dev', `web/web=${ref}`, ...insecure(secured.host)], {
      env: { [variable]: `tester:${secured.user?.password}`, MANIFOLD_TRUSTED_TOKEN_REALMS: secured.tokenRealm },
    });
    expect(run.code).toBe(0);
    expect(run.stdout + run.stderr).not.toContain(secured.user?.password ?? '-');
    expect(await readFile(join(root, 'overlays/dev/images.yaml'), 'utf8')).toContain(`${ref}@${digest}`);
  });

  it('retries a failing registry, then reports it and writes nothing', async () => {
    const root = await copyRepository();
    const failing = await startFaultRegistry((_request, response) => response.writeHead(503, { 'X-Request-Id': 'abc-1' }).end());
    const before = await snapshot(root);
    const run = await runManifold(root, ['pin', 'dev', `web/web=${failing.host}/acme/web:main-fffffff-1733000000`, ...insecure(failing.host)]);
    await failing.stop();
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('retrying');
    expect(run.stderr).toContain('answered HTTP 503 (request abc-1)');
    expect(failing.requests.length).toBe(5);
    expect(await snapshot(root)).toEqual(before);
  }, 30_000);

  it('keeps both edits when two pin commands run at once', async () => {
    const root = await copyRepository();
    const web = `ghcr.io/acme/web:main-1212121-1733000000@sha256:${'1'.repeat(64)}`;
    const api = `ghcr.io/acme/ml-api:main-3434343-1733000000@sha256:${'3'.repeat(64)}`;
    const runs = await Promise.all([
      runManifold(root, ['pin', 'dev', `web/web=${web}`, '--no-verify']),
      runManifold(root, ['pin', 'dev', `ml-api/api=${api}`, '--no-verify']),
    ]);
    expect(runs.map((run) => run.code)).toEqual([0, 0]);
    const images = await readFile(join(root, 'overlays/dev/images.yaml'), 'utf8');
    expect(images).toContain(`ref: ${web}`);
    expect(images).toContain(`ref: ${api}`);
    expect((await runManifold(root, ['synth', '--check'])).code).toBe(0);
  });

  it('names an unknown image and a bad reference as bad input', async () => {
    const root = await copyRepository();
    const unknown = await runManifold(root, ['pin', 'dev', 'nope=ghcr.io/acme/nope:v1', '--no-verify']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/^argument 2: dev has no pin named "nope"/);
    const bad = await runManifold(root, ['pin', 'dev', 'web/web=ghcr.io/acme/web:v1@sha256:123']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('is not sha256 followed by 64 lowercase hex digits');
  });
});
