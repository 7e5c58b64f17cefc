import { createHash } from 'node:crypto';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ImageRef } from '@manifold/constructs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RegistryClient, RegistryError } from '../cli/src/registry/registry-client.ts';
import { credentialsFromEnvironment, credentialVariable } from '../cli/src/registry/registry-credentials.ts';
import { startRegistry, type TestRegistry } from './registry/docker-registry.ts';
import { type FaultHandler, startFaultRegistry } from './registry/fault-registry.ts';
import { pushImage } from './registry/push-image.ts';
import { copyRepository, runManifold } from './temp-repo.ts';

const KINDS = ['manifest', 'oci-index', 'docker-list'] as const;

async function failure(promise: Promise<unknown>): Promise<RegistryError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  if (!(error instanceof RegistryError)) throw new Error(`expected a RegistryError, got ${String(error)}`);
  return error;
}

describe.each(['open', 'htpasswd', 'token'] as const)('RegistryClient against docker-registry (%s auth)', (auth) => {
  let registry: TestRegistry;
  let client: RegistryClient;
  beforeAll(async () => {
    registry = await startRegistry(auth);
    client = new RegistryClient({
      insecureRegistries: [registry.host],
      credentials: () => registry.user,
      trustedTokenRealms: registry.tokenRealm ? [registry.tokenRealm] : [],
      retries: 0,
    });
  });
  afterAll(() => registry.stop());

  it.each(KINDS)('resolves a tag to the top-level digest of a %s and verifies it', async (kind) => {
    const pushed = await pushImage(registry, 'acme/api', `main-${kind}`, kind);
    const ref = ImageRef.parse(`${registry.host}/acme/api:main-${kind}`);
    expect(await client.resolveDigest(ref)).toBe(pushed);
    expect(await client.verifyDigest(ImageRef.parse(`${ref.value}@${pushed}`))).toBe(pushed);
  });

  it('names a missing tag and a missing digest', async () => {
    await pushImage(registry, 'acme/api', 'v1', 'manifest');
    const tag = await failure(client.resolveDigest(ImageRef.parse(`${registry.host}/acme/api:nope`)));
    expect(tag.status).toBe(404);
    expect(tag.message).toContain(`${registry.host}/acme/api:nope is not in the registry`);
    const digest = await failure(client.verifyDigest(ImageRef.parse(`${registry.host}/acme/api:v1@sha256:${'0'.repeat(64)}`), true));
    expect(digest.status).toBe(404);
    const moved = await failure(client.verifyDigest(ImageRef.parse(`${registry.host}/acme/api:v1@sha256:${'0'.repeat(64)}`)));
    expect(moved.message).toContain('tag v1 now resolves to sha256:');
  });

  if (auth !== 'open') {
    it('asks for credentials when it has none, and never shows the password', async () => {
      const anonymous = new RegistryClient({ insecureRegistries: [registry.host], retries: 0 });
      const error = await failure(anonymous.resolveDigest(ImageRef.parse(`${registry.host}/acme/api:v1`)));
      expect(`${error.message} ${error.hint}`).toMatch(/requires authentication|refused anonymous access/);
      const wrong = new RegistryClient({
        insecureRegistries: [registry.host],
        retries: 0,
        credentials: () => ({ username: 'tester', password: 'wrong-secret-value' }),
      });
      const refused = await failure(wrong.resolveDigest(ImageRef.parse(`${registry.host}/acme/api:v1`)));
      expect(refused.status).toBe(401);
      expect(`${refused.message} ${refused.hint} ${refused.stack}`).not.toContain('wrong-secret-value');
    });

    it('reads credentials from a Docker config.json', async () => {
      const dir = await mkdtemp(join(tmpdir(), 'manifold-docker-config-'));
      const auths = { [registry.host]: { auth: Buffer.from(`${registry.user?.username}:${registry.user?.password}`).toString('base64') } };
      await writeFile(join(dir, 'config.json'), JSON.stringify({ auths }));
      const fromConfig = new RegistryClient({
        insecureRegistries: [registry.host],
        retries: 0,
        credentials: credentialsFromEnvironment({ DOCKER_CONFIG: dir }),
        trustedTokenRealms: registry.tokenRealm ? [registry.tokenRealm] : [],
      });
      expect(await fromConfig.resolveDigest(ImageRef.parse(`${registry.host}/acme/api:v1`))).toMatch(/^sha256:/);
    });

    it.each(['credHelpers', 'credsStore'] as const)('asks a Docker credential helper named by %s, as Docker does', async (field) => {
      await pushImage(registry, 'acme/api', 'v1', 'manifest');
      const dir = await mkdtemp(join(tmpdir(), 'docker-helper-'));
      const asked = join(dir, 'asked');
      // A helper as Docker runs it: `get`, the server on stdin, JSON on stdout.
      await writeFile(
        join(dir, 'docker-credential-testhelper'),
        `#!/bin/sh\nread server\necho "$1 $server" >> ${asked}\necho '{"ServerURL":"'$server'","Username":"${registry.user?.username}","Secret":"${registry.user?.password}"}'\n`,
        { mode: 0o755 },
      );
      const config =
        field === 'credHelpers' ? { credHelpers: { [registry.host]: 'testhelper' } } : { credsStore: 'testhelper', auths: { [registry.host]: {} } };
      await writeFile(join(dir, 'config.json'), JSON.stringify(config));
      const viaHelper = new RegistryClient({
        insecureRegistries: [registry.host],
        retries: 0,
        credentials: credentialsFromEnvironment({ DOCKER_CONFIG: dir, PATH: `${dir}:${process.env.PATH}` }),
        trustedTokenRealms: registry.tokenRealm ? [registry.tokenRealm] : [],
      });
      expect(await viaHelper.resolveDigest(ImageRef.parse(`${registry.host}/acme/api:v1`))).toMatch(/^sha256:/);
      expect(await readFile(asked, 'utf8')).toContain(`get ${registry.host}`);
    });
  }
});

describe('RegistryClient against a misbehaving registry', () => {
  const manifest = Buffer.from('{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{},"layers":[]}');
  const digest = `sha256:${createHash('sha256').update(manifest).digest('hex')}`;
  const ok: FaultHandler = (_request, response) =>
    response.writeHead(200, { 'Docker-Content-Digest': digest, 'Content-Type': 'application/vnd.oci.image.manifest.v1+json' }).end(manifest);

  async function resolveWith(handler: FaultHandler, options: ConstructorParameters<typeof RegistryClient>[0] = {}) {
    const server = await startFaultRegistry(handler);
    const client = new RegistryClient({ insecureRegistries: [server.host], backoffMs: 20, retries: 2, ...options });
    const started = Date.now();
    const result: { value?: string; error?: unknown } = await client.resolveDigest(ImageRef.parse(`${server.host}/acme/api:v1`)).then(
      (value) => ({ value }),
      (error: unknown) => ({ error }),
    );
    await server.stop();
    return { ...result, requests: server.requests, elapsed: Date.now() - started };
  }

  it('waits as long as Retry-After says on 429, then succeeds', async () => {
    const run = await resolveWith((request, response, attempt) =>
      attempt < 1 ? response.writeHead(429, { 'Retry-After': '1', 'ratelimit-remaining': '0;w=21600' }).end() : ok(request, response, attempt),
    );
    expect(run.value).toBe(digest);
    expect(run.elapsed).toBeGreaterThanOrEqual(950);
    // HEAD throttled, HEAD again, then GET of the manifest by digest to confirm it.
    expect(run.requests.map((request) => request.method)).toEqual(['HEAD', 'HEAD', 'GET']);
  });

  it('gives up on a 429 that does not end, naming the rate limit', async () => {
    const run = await resolveWith((_request, response) => response.writeHead(429, { 'Retry-After': '0', 'ratelimit-remaining': '0;w=21600' }).end());
    expect(run.error).toBeInstanceOf(RegistryError);
    expect((run.error as RegistryError).message).toContain('rate limit reached (ratelimit-remaining: 0;w=21600)');
    expect(run.requests).toHaveLength(3);
  });

  it('retries a 500 with backoff, then reports it with the request id', async () => {
    const run = await resolveWith((_request, response) => response.writeHead(500, { 'X-Request-Id': 'req-7' }).end());
    expect((run.error as RegistryError).message).toContain('answered HTTP 500 (request req-7)');
    expect(run.requests).toHaveLength(3);
  });

  it('recovers from a 503 followed by an answer', async () => {
    const run = await resolveWith((request, response, attempt) => (attempt === 0 ? response.writeHead(503).end() : ok(request, response, attempt)));
    expect(run.value).toBe(digest);
  });

  it('times out on a registry that never answers', async () => {
    const run = await resolveWith(() => undefined, { timeoutMs: 200, retries: 1 });
    expect((run.error as RegistryError).message).toContain('no answer from');
    expect((run.error as RegistryError).message).toContain('within 0.2 s');
  });

  it('refuses a garbage answer and a malformed digest header', async () => {
    const garbage = await resolveWith((_request, response) => response.writeHead(200, { 'Content-Type': 'text/html' }).end('<html>login</html>'));
    expect((garbage.error as RegistryError).message).toContain('something that is not a manifest');
    const malformed = await resolveWith((_request, response) => response.writeHead(200, { 'Docker-Content-Digest': 'sha256:xyz' }).end());
    expect((malformed.error as RegistryError).message).toContain('malformed digest');
  });

  it('hashes the exact manifest bytes when there is no digest header', async () => {
    const run = await resolveWith((_request, response) =>
      response.writeHead(200, { 'Content-Type': 'application/vnd.oci.image.manifest.v1+json' }).end(manifest),
    );
    expect(run.value).toBe(digest);
    expect(run.requests.map((request) => request.method)).toEqual(['HEAD', 'GET']);
  });

  it('reports 401 without a challenge, 403 and 404 clearly, without retrying them', async () => {
    const unauthorised = await resolveWith((_request, response) => response.writeHead(401).end());
    expect((unauthorised.error as RegistryError).message).toContain('requires authentication');
    const denied = await resolveWith(
      (request, response) =>
        request.headers.authorization ? response.writeHead(403).end() : response.writeHead(401, { 'WWW-Authenticate': 'Basic realm="r"' }).end(),
      {
        credentials: () => ({ username: 'u', password: 'p4ssw0rd-secret' }),
      },
    );
    expect((denied.error as RegistryError).message).toContain('access denied');
    expect(JSON.stringify(denied.error)).not.toContain('p4ssw0rd-secret');
    const missing = await resolveWith((_request, response) => response.writeHead(404).end());
    expect((missing.error as RegistryError).status).toBe(404);
    expect(missing.requests).toHaveLength(1);
  });

  it('parses every challenge and uses the Bearer one, with quoted commas', async () => {
    const tokens = await startFaultRegistry((request, response) => {
      const url = new URL(request.url ?? '/', 'http://x');
      response.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify({ access_token: `t:${url.searchParams.get('scope')}` }));
    });
    const run = await resolveWith((request, response, attempt) =>
      request.headers.authorization === 'Bearer t:repository:acme/api:pull,push'
        ? ok(request, response, attempt)
        : response
            .writeHead(401, {
              'WWW-Authenticate': `Basic realm="b", Bearer realm="http://${tokens.host}/token",service="reg",scope="repository:acme/api:pull,push"`,
            })
            .end(),
    );
    await tokens.stop();
    expect(run.value).toBe(digest);
  });
});

describe('RegistryClient against a hostile registry', () => {
  const manifest = Buffer.from('{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{},"layers":[]}');
  const digest = `sha256:${createHash('sha256').update(manifest).digest('hex')}`;
  const SECRET = 'p4ssw0rd-secret';
  const credentials = () => ({ username: 'ci', password: SECRET });

  async function run(handler: FaultHandler, options: ConstructorParameters<typeof RegistryClient>[0] = {}, ref = 'acme/api:v1') {
    const server = await startFaultRegistry(handler);
    const client = new RegistryClient({ insecureRegistries: [server.host], backoffMs: 10, retries: 1, timeoutMs: 1000, ...options });
    const result = await client.resolveDigest(ImageRef.parse(`${server.host}/${ref}`)).then(
      (value) => ({ value, error: undefined }),
      (error: unknown) => ({ value: undefined, error: error as RegistryError }),
    );
    await server.stop();
    return { ...result, requests: server.requests, host: server.host };
  }

  it('never sends credentials to a token service on another origin, unless the user trusts it', async () => {
    const tokens = await startFaultRegistry((_request, response) => response.writeHead(200).end('{"token":"t0k"}'));
    const challenge: FaultHandler = (request, response) =>
      request.headers.authorization === 'Bearer t0k'
        ? response.writeHead(200, { 'Docker-Content-Digest': digest }).end(manifest)
        : response.writeHead(401, { 'WWW-Authenticate': `Bearer realm="http://${tokens.host}/token",service="reg"` }).end();
    const refused = await run(challenge, { credentials });
    expect(refused.error?.message).toContain(`sends clients to the token service http://${tokens.host}, which is not its own; the credentials were not sent`);
    expect(tokens.requests).toEqual([]);
    const trusted = await run(challenge, { credentials, trustedTokenRealms: [`http://${tokens.host}`] });
    expect(trusted.value).toBe(digest);
    expect(tokens.requests.map((request) => request.authorized)).toEqual([true]);
    await tokens.stop();
  });

  it('never answers a challenge from a redirect target, nor sends it credentials', async () => {
    const elsewhere = await startFaultRegistry((_request, response) => response.writeHead(401, { 'WWW-Authenticate': 'Basic realm="x"' }).end());
    const redirected = await run((_request, response) => response.writeHead(307, { Location: `http://${elsewhere.host}/v2/acme/api/manifests/v1` }).end(), {
      credentials,
    });
    expect(redirected.error?.message).toMatch(/not authorised|requires authentication/);
    expect(elsewhere.requests.every((request) => !request.authorized)).toBe(true);
    await elsewhere.stop();
  });

  it('sends the credentials it answered a challenge with to its own origin only, not to where it then redirects', async () => {
    const elsewhere = await startFaultRegistry((_request, response) => response.writeHead(200, { 'Docker-Content-Digest': digest }).end(manifest));
    // A Basic challenge first; once answered, a redirect to another origin (as a CDN, or an attacker's storage, would).
    const redirected = await run(
      (request, response) =>
        request.headers.authorization
          ? response.writeHead(307, { Location: `http://${elsewhere.host}/v2/acme/api/manifests/v1` }).end()
          : response.writeHead(401, { 'WWW-Authenticate': 'Basic realm="r"' }).end(),
      { credentials },
    );
    await elsewhere.stop();
    expect(redirected.requests.some((request) => request.authorized)).toBe(true);
    expect(elsewhere.requests.length).toBeGreaterThan(0);
    expect(elsewhere.requests.every((request) => !request.authorized)).toBe(true);
  });

  it('ends a redirect loop with a one-line error', async () => {
    const looping = await run((request, response) => response.writeHead(302, { Location: request.url?.endsWith('/a') ? '/b' : '/a' }).end());
    expect(looping.error).toBeInstanceOf(RegistryError);
    expect(looping.error?.message).toMatch(/redirect loop|too many redirects/);
  });

  it('confirms a HEAD digest against the manifest bytes before trusting it', async () => {
    const lying = `sha256:${'0'.repeat(64)}`;
    const lie = await run((request, response) =>
      request.method === 'HEAD' ? response.writeHead(200, { 'Docker-Content-Digest': lying }).end() : response.writeHead(200).end(manifest),
    );
    expect(lie.error?.message).toContain('does not hash to the digest it claims');
  });

  it('refuses a digest whose tag now points elsewhere, unless asked only whether the digest exists', async () => {
    const other = `sha256:${'1'.repeat(64)}`;
    const server = await startFaultRegistry((request, response) =>
      request.url?.endsWith(`/${other}`)
        ? response.writeHead(200).end(Buffer.from(manifest.toString().replace('"layers":[]', '"layers":[] ')))
        : response.writeHead(200, { 'Docker-Content-Digest': digest }).end(manifest),
    );
    const client = new RegistryClient({ insecureRegistries: [server.host], retries: 0 });
    const pinned = ImageRef.parse(`${server.host}/acme/api:v1@${other}`);
    const moved = await client.verifyDigest(pinned).catch((error: RegistryError) => error);
    expect(String(moved)).toContain(`tag v1 now resolves to ${digest}, not to the given digest`);
    const exists = await client.verifyDigest(pinned, true).catch((error: RegistryError) => error);
    expect(String(exists)).toContain('hashes to');
    expect(await client.verifyDigest(ImageRef.parse(`${server.host}/acme/api:v1@${digest}`), true)).toBe(digest);
    await server.stop();
  });

  it('caps the size of manifests and token answers', async () => {
    const huge = await run((request, response) =>
      request.method === 'HEAD' ? response.writeHead(200).end() : response.writeHead(200).end(Buffer.alloc(5 * 1024 * 1024, 32)),
    );
    expect(huge.error?.message).toContain('the manifest is larger than 4194304 bytes');
    const tokens = await startFaultRegistry((_request, response) => response.writeHead(200).end(`{"token":"${'x'.repeat(100_000)}"}`));
    const bigToken = await run((_request, response) => response.writeHead(401, { 'WWW-Authenticate': `Bearer realm="http://${tokens.host}/token"` }).end());
    expect(bigToken.error?.message).toContain('the token answer is larger than 65536 bytes');
    await tokens.stop();
  });

  it('bounds a slow body by the request time limit', async () => {
    const slow = await run((request, response) => {
      if (request.method === 'HEAD') return void response.writeHead(200).end();
      response.writeHead(200);
      response.write('{"schemaVersion":');
    });
    expect(slow.error?.message).toMatch(/did not arrive in time|no answer/);
  });

  it('stops retrying when the waits would pass the budget for the command', async () => {
    const started = Date.now();
    const throttled = await run((_request, response) => response.writeHead(429, { 'Retry-After': '1' }).end(), { retries: 10, maxTotalRetryMs: 1500 });
    expect(throttled.error?.message).toMatch(/still failing \(429\) after retrying for 1 s/);
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it('never shows a credential or a token in an error, even a malformed one', async () => {
    const tokens = await startFaultRegistry((_request, response) => response.writeHead(200).end(`{"token":"${SECRET}\\n<script>"}`));
    const malformed = await run((_request, response) => response.writeHead(401, { 'WWW-Authenticate': `Bearer realm="http://${tokens.host}/t"` }).end(), {
      trustedTokenRealms: [`http://${tokens.host}`],
      credentials,
    });
    await tokens.stop();
    expect(malformed.error?.message).toContain('malformed token');
    for (const text of [malformed.error?.message, malformed.error?.hint, malformed.error?.stack]) expect(text).not.toContain(SECRET);
  });
});

describe('a registry that echoes what it was sent', () => {
  it('never gets the credentials of a pin printed: not in the error, the request id, nor the progress lines', async () => {
    // 18 bytes: its base64 has no padding, so it looks like a request id.
    const password = 'hunter2registrypwd';
    const basic = Buffer.from(`ci:${password}`).toString('base64');
    const server = await startFaultRegistry((request, response) => {
      const auth = request.headers.authorization;
      if (!auth) return response.writeHead(401, { 'WWW-Authenticate': 'Basic realm="registry"' }).end();
      response
        .writeHead(500, { 'Content-Type': 'application/json', 'X-Request-Id': auth.replace(' ', '-'), 'Retry-After': '0' })
        .end(JSON.stringify({ errors: [{ code: 'UNKNOWN', message: `you sent ${auth}`, detail: auth }] }));
    });
    try {
      const root = await copyRepository();
      const variable = credentialVariable(server.host) ?? '';
      const run = await runManifold(root, ['pin', 'dev', `web/web=${server.host}/acme/web:main-abc1234-1800000000`, '--insecure-registry', server.host], {
        env: { [variable]: `ci:${password}` },
      });
      expect(run.code).toBe(1);
      expect(run.stderr).toContain('answered HTTP 500');
      expect(server.requests.some((request) => request.authorized)).toBe(true);
      for (const output of [run.stdout, run.stderr]) {
        expect(output).not.toContain(basic);
        expect(output).not.toContain(password);
      }
    } finally {
      await server.stop();
    }
  });
});
