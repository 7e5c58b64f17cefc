import { mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { createServer, type RequestListener } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeEsc, startFakeEsc } from './esc/fake-esc-server.ts';
import { startRegistry, type TestRegistry } from './registry/docker-registry.ts';
import { pushImage } from './registry/push-image.ts';
import { copyRepository, editFile, runManifold, snapshot } from './temp-repo.ts';

const DIGEST = `sha256:${'c'.repeat(64)}`;
const WEB = `ghcr.io/acme/web:main-9abcdef-1733100000@${DIGEST}`;

describe('Pulumi ESC', () => {
  let esc: FakeEsc;
  let registry: TestRegistry;
  let pulumiHome: string;
  beforeAll(async () => {
    esc = await startFakeEsc();
    registry = await startRegistry('open');
    pulumiHome = await mkdtemp(join(tmpdir(), 'pulumi-home-'));
  });
  afterAll(async () => {
    await esc.stop();
    await registry.stop();
  });

  /** A copy of the repository whose dev environment maps to the ESC environment `acme/platform/<name>`. */
  async function repositoryFor(name: string, images = ''): Promise<string> {
    const root = await copyRepository();
    const file = join(root, 'overlays/dev/environment.yaml');
    const withoutEsc = (await readFile(file, 'utf8')).replace(/esc:\n( {2}.*\n)+/, '');
    await writeFile(file, `${withoutEsc}esc:\n  organization: acme\n  project: platform\n  environment: ${name}\n  url: ${esc.url}\n${images}`);
    return root;
  }

  const run = (root: string, args: string[], token = esc.token) =>
    runManifold(root, args, { env: { PULUMI_ACCESS_TOKEN: token, PULUMI_HOME: pulumiHome, PULUMI_BACKEND_URL: '', NO_PROXY: '127.0.0.1' } });

  it('pulls a digest-pinned reference from ESC (imports and interpolation evaluated) and re-synthesizes', async () => {
    esc.define('acme/platform/base', 'values:\n  registry: ghcr.io/acme\n');
    esc.define(
      'acme/platform/pull',
      `imports:\n  - platform/base\nvalues:\n  manifold:\n    images:\n      web:\n        web: \${registry}/web:main-9abcdef-1733100000@${DIGEST}\n`,
    );
    const root = await repositoryFor('pull');
    const drift = await run(root, ['esc', 'pull', 'dev', '--check']);
    expect(drift.code).toBe(1);
    expect(drift.stdout).toContain(`differs: dev web/web: ghcr.io/acme/web:main-3f2c1e9-1732150000@sha256:4a916b87`);
    const pulled = await run(root, ['esc', 'pull', 'dev', '--no-verify']);
    expect(pulled.code).toBe(0);
    const images = await readFile(join(root, 'overlays/dev/images.yaml'), 'utf8');
    expect(images).toContain(`ref: ${WEB} # {"$imagepolicy": "flux-system:dev-web-web"}`);
    expect(images).toContain('      by: esc\n      environment: acme/platform/pull\n      revision: "1"\n');
    expect(await readFile(join(root, 'dist/dev/web/deployment-web.yaml'), 'utf8')).toContain(`image: ${WEB}`);
    expect((await run(root, ['esc', 'pull', 'dev', '--check'])).code).toBe(0);
    expect((await runManifold(root, ['synth', '--check'])).code).toBe(0);
    expect(esc.requests.every((request) => request.authorized)).toBe(true);
  });

  it('resolves the digest from the registry for split repository + tag keys', async () => {
    const digest = await pushImage(registry, 'acme/api', 'main-1234567-1733200000', 'oci-index');
    esc.define('acme/platform/split', `values:\n  pulumiConfig:\n    adapterImage: ${registry.host}/acme/api\n    adapterImageTag: main-1234567-1733200000\n`);
    const root = await repositoryFor(
      'split',
      '  images:\n    ml-api/api:\n      repository: pulumiConfig.adapterImage\n      tag: pulumiConfig.adapterImageTag\n',
    );
    const pulled = await run(root, ['esc', 'pull', 'dev', '--insecure-registry', registry.host]);
    expect(pulled.stderr).not.toContain('Error');
    expect(pulled.code).toBe(0);
    expect(await readFile(join(root, 'overlays/dev/images.yaml'), 'utf8')).toContain(`ref: ${registry.host}/acme/api:main-1234567-1733200000@${digest}`);
  });

  it('refuses an image reference ESC marks secret, writing nothing', async () => {
    esc.define('acme/platform/secret', `values:\n  manifold:\n    images:\n      web:\n        web:\n          fn::secret: ${WEB}\n`);
    const root = await repositoryFor('secret');
    const before = await snapshot(root);
    const refused = await run(root, ['esc', 'pull', 'dev', '--no-verify']);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(
      /ESC acme\/platform\/secret manifold\.images\.web\.web is a secret; an image reference pulled from it would be written to git/,
    );
    expect(await snapshot(root)).toEqual(before);
  });

  it('pushes the pins into the mapped keys only, keeping other keys, comments and imports', async () => {
    const definition =
      '# owned by the platform team\nimports:\n  - platform/base\nvalues:\n  region: eu-west-1 # where stacks deploy\n  pulumiConfig:\n    adapterImage: old\n';
    esc.define('acme/platform/push', definition);
    const root = await repositoryFor(
      'push',
      '  images:\n    ml-api/api:\n      repository: pulumiConfig.adapterImage\n      tag: pulumiConfig.adapterImageTag\n',
    );
    const dry = await run(root, ['esc', 'push', 'dev', '--dry-run']);
    expect(dry.code).toBe(0);
    expect(esc.definition('acme/platform/push')).toBe(definition);
    const pushed = await run(root, ['esc', 'push', 'dev']);
    expect(pushed.code).toBe(0);
    expect(pushed.stdout).toMatch(/revision 2$/m);
    const written = esc.definition('acme/platform/push') ?? '';
    expect(written.startsWith('# owned by the platform team\nimports:\n  - platform/base\nvalues:\n  region: eu-west-1 # where stacks deploy\n')).toBe(true);
    expect(written).toMatch(/adapterImage: ghcr\.io\/acme\/ml-api\n/);
    expect(written).toMatch(/adapterImageTag: main-[0-9a-f]{7}-[0-9]+@sha256:[0-9a-f]{64}\n/);
    expect(written).toContain('  manifold:\n    images:\n      web:\n        web: ghcr.io/acme/web:main-3f2c1e9-1732150000@sha256:4a916b87');
    // A pull from what was pushed changes nothing: the round trip is exact.
    expect((await run(root, ['esc', 'pull', 'dev', '--check'])).code).toBe(0);
    expect((await run(root, ['esc', 'push', 'dev'])).stdout).toContain('already holds every pin of dev');
  });

  it('re-reads and re-applies when another writer changed the environment (409)', async () => {
    esc.define('acme/platform/race', 'values:\n  other: 1\n');
    const root = await repositoryFor('race');
    esc.failNext('PATCH', '/acme/platform/race', 409);
    const pushed = await run(root, ['esc', 'push', 'dev']);
    expect(pushed.code).toBe(0);
    expect(pushed.stderr).toContain('changed meanwhile; reading it again (attempt 2)');
    expect(esc.requests.filter((request) => request.method === 'PATCH' && request.path.endsWith('/race')).map((request) => request.etag)).toEqual([
      '"acme/platform/race@1"',
      '"acme/platform/race@1"',
    ]);
  });

  it('names a refused token without showing it, and writes nothing', async () => {
    esc.define('acme/platform/auth', 'values: {}\n');
    const root = await repositoryFor('auth');
    const before = await snapshot(root);
    const denied = await run(root, ['esc', 'pull', 'dev'], 'pul-wrong-token-secret');
    expect(denied.code).toBe(1);
    expect(denied.stderr).toMatch(/^ESC acme\/platform\/auth: HTTP 401: Unauthorized/);
    expect(denied.stderr).toContain('check PULUMI_ACCESS_TOKEN');
    expect(denied.stdout + denied.stderr).not.toContain('pul-wrong-token-secret');
    expect(await snapshot(root)).toEqual(before);
  });

  it('waits out a 429, and names a 404 and a 500 (with its request id) clearly', async () => {
    esc.define('acme/platform/flaky', `values:\n  manifold:\n    images:\n      web:\n        web: ${WEB}\n`);
    const root = await repositoryFor('flaky');
    esc.failNext('POST', '/acme/platform/flaky/open', 429, { 'Retry-After': '1' });
    expect((await run(root, ['esc', 'pull', 'dev', '--check'])).code).toBe(1);
    esc.failNext('POST', '/acme/platform/flaky/open', 500);
    const failed = await run(root, ['esc', 'pull', 'dev', '--check']);
    expect(failed.code).toBe(1);
    expect(failed.stderr).toMatch(/^ESC acme\/platform\/flaky: HTTP 500: injected failure \(request req-fake-1\)/);
    const missing = await run(await repositoryFor('does-not-exist'), ['esc', 'pull', 'dev']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('hint: create the ESC environment acme/platform/does-not-exist');
  });

  it('checks that every secret an app uses exists in ESC and is marked secret', async () => {
    const root = await repositoryFor('secrets');
    esc.define('acme/platform/secrets', 'values:\n  postgres:\n    password: plain-text\n');
    const plain = await run(root, ['esc', 'check', 'dev']);
    expect(plain.code).toBe(1);
    expect(plain.stdout).toContain('not secret: postgres.password (app csv-ingestor, DATABASE_PASSWORD) in ESC acme/platform/secrets');
    esc.define('acme/platform/secrets', 'values:\n  other: 1\n');
    expect((await run(root, ['esc', 'check', 'dev'])).stdout).toContain('missing: postgres.password');
    esc.define('acme/platform/secrets', 'values:\n  postgres:\n    password:\n      fn::secret: s3cr3t-value\n');
    const ok = await run(root, ['esc', 'check', 'dev']);
    expect(ok.code).toBe(0);
    expect(ok.stdout + ok.stderr).not.toContain('s3cr3t-value');
    // An app with an ESC environment of its own is checked there, and only there.
    await editFile(join(root, 'overlays/dev/environment.yaml'), (text) => `${text}  appEnvironments:\n    csv-ingestor: secrets-csv-ingestor\n`);
    esc.define('acme/platform/secrets-csv-ingestor', 'values:\n  other: 1\n');
    const own = await run(root, ['esc', 'check', 'dev']);
    expect(own.code).toBe(1);
    expect(own.stdout).toContain('missing: postgres.password (app csv-ingestor, DATABASE_PASSWORD) in ESC acme/platform/secrets-csv-ingestor');
    esc.define('acme/platform/secrets-csv-ingestor', 'values:\n  postgres:\n    password:\n      fn::secret: s3cr3t-value\n');
    expect((await run(root, ['esc', 'check', 'dev'])).stdout).toBe('dev: all 1 ESC secret(s) exist in acme/platform/secrets-csv-ingestor and are secret\n');
  });
});

describe('secrets from ESC in the rendered manifests', () => {
  it("reach the container through an ExternalSecret and the app's own SecretStore, never as values", async () => {
    const root = await copyRepository();
    const deployment = await readFile(join(root, 'dist/dev/csv-ingestor/deployment-csv-ingestor.yaml'), 'utf8');
    expect(deployment).toContain(
      '- name: DATABASE_PASSWORD\n              valueFrom:\n                secretKeyRef:\n                  key: DATABASE_PASSWORD\n                  name: csv-ingestor-esc\n',
    );
    const external = await readFile(join(root, 'dist/dev/csv-ingestor/externalsecret.external-secrets.io-csv-ingestor-esc.yaml'), 'utf8');
    expect(external).toContain('  data:\n    - remoteRef:\n        key: postgres.password\n      secretKey: DATABASE_PASSWORD\n');
    expect(external).toContain('  secretStoreRef:\n    kind: SecretStore\n    name: pulumi-esc-csv-ingestor\n');
    const store = await readFile(join(root, 'dist/dev/csv-ingestor/secretstore.external-secrets.io-pulumi-esc-csv-ingestor.yaml'), 'utf8');
    expect(store).toContain(
      '    pulumi:\n      accessToken:\n        secretRef:\n          key: PULUMI_ACCESS_TOKEN\n          name: pulumi-esc-token-csv-ingestor\n      environment: dev\n      organization: acme\n      project: platform\n',
    );
    // No store is shared: an app that asks for no secret has none, and no other app's store is in reach.
    expect(await readdir(join(root, 'dist/dev/web'))).not.toContainEqual(expect.stringContaining('secretstore'));
  });

  it('are refused in an environment without an esc: block, at the app line', async () => {
    const root = await copyRepository();
    const file = join(root, 'overlays/staging/environment.yaml');
    await writeFile(file, (await readFile(file, 'utf8')).replace(/esc:\n( {2}.*\n)+/, ''));
    const run = await runManifold(root, ['synth', 'staging']);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(
      /^apps\/csv-ingestor\/src\/index\.ts:\d+:\d+: app "csv-ingestor" failed to build in staging: app "csv-ingestor" asks for the ESC secret "postgres.password", but staging has no esc: block/,
    );
  });

  /**
   * Runs `test` with a copy of the repository whose dev environment points ESC at a loopback server
   * answering every request with `handler`; the server stops afterwards.
   */
  async function withEscServer(handler: RequestListener, test: (root: string) => Promise<void>): Promise<void> {
    const server = createServer((request, response) => {
      request.resume();
      handler(request, response);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const root = await copyRepository();
      const file = join(root, 'overlays/dev/environment.yaml');
      const withoutEsc = (await readFile(file, 'utf8')).replace(/esc:\n( {2}.*\n)+/, '');
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      await writeFile(file, `${withoutEsc}esc:\n  organization: acme\n  project: platform\n  environment: dev\n  url: ${url}\n`);
      await test(root);
    } finally {
      server.close();
    }
  }

  it('stops when the URL answers as no ESC does (200 text/html to everything), writing nothing anywhere', async () => {
    const posted: string[] = [];
    const html: RequestListener = (request, response) => {
      if (request.method !== 'GET') posted.push(`${request.method} ${request.url}`);
      response.writeHead(200, { 'Content-Type': 'text/html' });
      response.end('<html><body>Sign in</body></html>');
    };
    await withEscServer(html, async (root) => {
      const before = await snapshot(root);
      const push = await runManifold(root, ['esc', 'push', 'dev'], { env: { PULUMI_ACCESS_TOKEN: 'test-token', NO_PROXY: '127.0.0.1' } });
      expect(push.stderr).toMatch(/^ESC acme\/platform\/dev: the definition came as text\/html, not YAML\n {2}hint: check esc\.url/);
      expect(push.code).toBe(1);
      expect(posted).toEqual([]);
      const pull = await runManifold(root, ['esc', 'pull', 'dev', '--check'], { env: { PULUMI_ACCESS_TOKEN: 'test-token', NO_PROXY: '127.0.0.1' } });
      expect(pull.stderr).toMatch(/^ESC acme\/platform\/dev: /);
      expect(pull.code).toBe(1);
      expect(await snapshot(root)).toEqual(before);
    });
  });

  it('prints what a hostile ESC says on one line: no escapes, no forged log lines, never the token', async () => {
    const token = 'pul-hostile-0123456789';
    const hostile: RequestListener = (request, response) => {
      response.writeHead(500, { 'Content-Type': 'application/json', 'X-Pulumi-Request-Id': 'not an id; ::warning::forged' });
      response.end(JSON.stringify({ code: 500, message: `boom\r\n::error::forged ${request.headers.authorization ?? ''}\u001b]8;;http://evil\u0007x` }));
    };
    await withEscServer(hostile, async (root) => {
      const pull = await runManifold(root, ['esc', 'pull', 'dev', '--check'], { env: { PULUMI_ACCESS_TOKEN: token, NO_PROXY: '127.0.0.1' } });
      expect(pull.code).toBe(1);
      const [first, hint, ...rest] = pull.stderr.trimEnd().split('\n');
      expect(first).toMatch(/^ESC acme\/platform\/dev: HTTP 500: boom ::error::forged token \*\*\* \]8;;http:\/\/evil x$/);
      expect(hint).toMatch(/^ {2}hint: /);
      expect(rest).toEqual([]);
      expect(pull.stderr).not.toContain(token);
      expect(pull.stderr).not.toContain('(request');
      expect(pull.stderr.replaceAll('\n', '')).not.toMatch(/\p{Cc}/u);
    });
  });

  it('gives up on an ESC that trickles its answer at a wall-clock deadline, body included', async () => {
    const trickle: RequestListener = (_request, response) => {
      response.writeHead(200, { 'Content-Type': 'application/json' });
      response.write('{');
      const drip = setInterval(() => response.write(' '), 200);
      response.on('close', () => clearInterval(drip));
    };
    await withEscServer(trickle, async (root) => {
      const started = Date.now();
      const pull = await runManifold(root, ['esc', 'pull', 'dev', '--check', '--esc-timeout', '2'], {
        env: { PULUMI_ACCESS_TOKEN: 'test-token', NO_PROXY: '127.0.0.1' },
      });
      expect(Date.now() - started).toBeLessThan(15_000);
      expect(pull.code).toBe(1);
      expect(pull.stderr).toMatch(
        /^ESC acme\/platform\/dev: no complete answer from 127\.0\.0\.1:\d+ within 2 s\n {2}hint: try again later, or allow more time with --esc-timeout\n$/,
      );
    });
  });

  it.each([
    [
      'a host the operator did not allow',
      '  url: https://esc.example.invalid\n',
      {},
      /esc\.url names esc\.example\.invalid, which is not Pulumi Cloud, and MANIFOLD_ESC_HOSTS does not allow it/,
    ],
    [
      'plain HTTP to another machine',
      '  url: http://esc.example.invalid\n',
      { MANIFOLD_ESC_HOSTS: 'esc.example.invalid' },
      /esc\.url http:\/\/esc\.example\.invalid is not HTTPS/,
    ],
    ['a token variable that is not PULUMI_*', '  tokenVariable: GH_TOKEN\n', {}, /tokenVariable.*expected a PULUMI_\* environment variable name/],
  ])('refuses %s before any request, in synth too', async (_what, line, env, message) => {
    const root = await copyRepository();
    const file = join(root, 'overlays/dev/environment.yaml');
    const withoutEsc = (await readFile(file, 'utf8')).replace(/esc:\n( {2}.*\n)+/, '');
    await writeFile(file, `${withoutEsc}esc:\n  organization: acme\n  project: platform\n  environment: dev\n${line}`);
    const before = await snapshot(root);
    for (const args of [
      ['esc', 'pull', 'dev', '--check'],
      ['synth', 'dev'],
    ]) {
      const refused = await runManifold(root, args, { env: { PULUMI_ACCESS_TOKEN: 'pul-secret-token', GH_TOKEN: 'ghs-secret', ...env } });
      expect(refused.code, args.join(' ')).toBe(2);
      expect(refused.stderr).toMatch(/^overlays\/dev\/environment\.yaml:\d+:\d+: /);
      expect(refused.stderr).toMatch(message);
      expect(refused.stderr).not.toMatch(/pul-secret-token|ghs-secret/);
    }
    expect(await snapshot(root)).toEqual(before);
  });
});
