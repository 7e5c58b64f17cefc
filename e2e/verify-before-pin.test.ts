/** Verify before pin: an environment with verify: rules pins only digests signed by the identity its rule names. */
import { createHash } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { git } from './git-repository.ts';
import { startRegistry, type TestRegistry } from './registry/docker-registry.ts';
import { type FaultHandler, startFaultRegistry } from './registry/fault-registry.ts';
import { pushImage } from './registry/push-image.ts';
import { type LoopbackSigstore, signingKey, startLoopbackSigstore } from './sigstore/loopback-sigstore.ts';
import { copyRepository, runManifold } from './temp-repo.ts';

const GITHUB = 'https://token.actions.githubusercontent.com';
const BUILDER = 'https://github.com/acme/platform/.github/workflows/build-and-pin.yml@refs/heads/main';

/** The repositories of the loopback registry under acme/, as a verify: glob (any port). */
const acmeImages = (registry: TestRegistry) => `${registry.host.replace(/:\d+$/, ':*')}/acme/**`;

/** A loopback registry and Sigstore for the tests of a describe block. */
function loopbackServices(): { readonly registry: TestRegistry; readonly sigstore: LoopbackSigstore } {
  const services = {} as { registry: TestRegistry; sigstore: LoopbackSigstore };
  beforeAll(async () => {
    services.registry = await startRegistry('open');
    services.sigstore = await startLoopbackSigstore();
  });
  afterAll(async () => {
    await services.registry.stop();
    await services.sigstore.stop();
  });
  return services;
}

/**
 * A copy of the example whose `env` takes images of the loopback registry only when signed through
 * GitHub by `identity` (a Go regular expression; default: any workflow of acme/platform), with `extra`
 * lines added to the rule, trusting `sigstore`'s root.
 */
async function repositoryRequiring(
  registry: TestRegistry,
  sigstore: LoopbackSigstore,
  options: { readonly env?: string; readonly identity?: string; readonly extra?: string; readonly rules?: string; readonly ownCaches?: boolean } = {},
): Promise<string> {
  const root = await copyRepository(undefined, { ownCaches: options.ownCaches ?? false });
  await mkdir(join(root, 'sigstore'));
  await writeFile(join(root, 'sigstore/trusted_root.json'), JSON.stringify(sigstore.trustedRoot));
  const file = join(root, `overlays/${options.env ?? 'dev'}/environment.yaml`);
  const identity = options.identity ?? '^https://github\\.com/acme/platform/';
  const rules =
    options.rules ?? `  - images: ${acmeImages(registry)}\n    keyless:\n      issuer: ${GITHUB}\n      identity: ${identity}\n${options.extra ?? ''}`;
  const rule = `trustedRoot: sigstore/trusted_root.json\nverify:\n${rules}`;
  await writeFile(file, `${await readFile(file, 'utf8')}${rule}`);
  return root;
}

describe('verify before pin', () => {
  const services = loopbackServices();

  it('pins a digest the build identity signed, with its evidence; refuses an unsigned one and one signed by another identity, writing nothing', async () => {
    const { registry, sigstore } = services;
    const root = await repositoryRequiring(registry, sigstore, { identity: `^${BUILDER.replaceAll('.', '\\.')}$` });
    const env = { MANIFOLD_INSECURE_REGISTRIES: registry.host };
    const signed = await pushImage(registry, 'acme/web', 'main-1111111-1733100001', 'manifest');
    await sigstore.attach(registry, 'acme/web', signed, await sigstore.sign({ identity: BUILDER, issuer: GITHUB }, signed));
    const pinned = await runManifold(root, ['pin', 'dev', `web=${registry.host}/acme/web:main-1111111-1733100001`], { env });
    expect(pinned.code, pinned.stderr).toBe(0);
    const images = await readFile(join(root, 'overlays/dev/images.yaml'), 'utf8');
    expect(images).toContain(`ref: ${registry.host}/acme/web:main-1111111-1733100001@${signed}`);
    expect(images).toMatch(
      new RegExp(
        `verified:\\n {8}identity: ${BUILDER.replaceAll('.', '\\.')}\\n {8}issuer: ${GITHUB.replaceAll('.', '\\.')}\\n {8}logIndex: "\\d+"\\n {8}time: "\\S+Z"\\n`,
      ),
    );

    const unsigned = await pushImage(registry, 'acme/web', 'main-2222222-1733100002', 'manifest');
    const refused = await runManifold(root, ['pin', 'dev', `web=${registry.host}/acme/web:main-2222222-1733100002`], { env });
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain(
      `${registry.host}/acme/web:main-2222222-1733100002@${unsigned}: no valid signature for verify rule 1 (${registry.host.replace(/:\d+$/, ':*')}/acme/**): the registry holds no signature for it (no Sigstore bundle, no cosign .sig tag)\n  hint: pin a digest signed (and attested) by the identity the rule names; nothing was written\n`,
    );
    const other = await pushImage(registry, 'acme/web', 'main-3333333-1733100003', 'manifest');
    await sigstore.attach(
      registry,
      'acme/web',
      other,
      await sigstore.sign({ identity: 'https://github.com/mallory/fork/.github/workflows/x.yml@refs/heads/main', issuer: GITHUB }, other),
    );
    const wrongIdentity = await runManifold(root, ['pin', 'dev', `web=${registry.host}/acme/web:main-3333333-1733100003`], { env });
    expect(wrongIdentity.code).toBe(2);
    expect(wrongIdentity.stderr).toContain('signed by https://github.com/mallory/fork/.github/workflows/x.yml@refs/heads/main, which does not match');
    expect(await readFile(join(root, 'overlays/dev/images.yaml'), 'utf8')).toBe(images);
  });
});

describe('verify before pin, as an attacker would try', () => {
  const services = loopbackServices();

  it('refuses a signature over another digest, a tampered bundle, another issuer, a missing or wrong provenance, and a bundle too large to read', async () => {
    const { registry, sigstore } = services;
    const root = await repositoryRequiring(registry, sigstore, {
      extra: '    provenance:\n      predicateType: https://slsa.dev/provenance/v1\n      sourceRepository: https://github.com/acme/platform\n',
    });
    const hosts = acmeImages(registry);
    const env = { MANIFOLD_INSECURE_REGISTRIES: registry.host };
    const builder = { identity: BUILDER, issuer: GITHUB };
    const provenance = (repository: string) => ({
      predicateType: 'https://slsa.dev/provenance/v1',
      predicate: { buildDefinition: { externalParameters: { workflow: { repository } } } },
    });
    const before = await readFile(join(root, 'overlays/dev/images.yaml'), 'utf8');
    let n = 0;
    /** Pushes a new image, lets `prepare` attach what it likes to it, and tries to pin it. */
    const attempt = async (prepare: (digest: string) => Promise<void>) => {
      const tag = `main-${String(++n).repeat(7)}-17331000${String(n).padStart(2, '0')}`;
      const digest = await pushImage(registry, 'acme/web', tag, 'manifest');
      await prepare(digest);
      return runManifold(root, ['pin', 'dev', `web=${registry.host}/acme/web:${tag}`], { env });
    };
    const attachSigned = (digest: string, statement?: Parameters<LoopbackSigstore['sign']>[2]) =>
      sigstore.sign(builder, digest, statement).then((bundle) => sigstore.attach(registry, 'acme/web', digest, bundle));

    const elsewhere = await pushImage(registry, 'acme/web', 'elsewhere', 'manifest');
    const otherDigest = await attempt((digest) => attachSigned(digest, { subjectDigest: elsewhere }));
    expect(otherDigest.stderr).toContain(`no valid signature for verify rule 1 (${hosts}): the statement is about another digest, not sha256:`);

    const tampered = await attempt(async (digest) => {
      const bundle = (await sigstore.sign(builder, digest)) as { dsseEnvelope: { payload: string } };
      const statement = JSON.parse(Buffer.from(bundle.dsseEnvelope.payload, 'base64').toString('utf8'));
      statement.predicate = { injected: true };
      bundle.dsseEnvelope.payload = Buffer.from(JSON.stringify(statement)).toString('base64');
      await sigstore.attach(registry, 'acme/web', digest, bundle);
    });
    expect(tampered.stderr).toMatch(/no valid signature for verify rule 1 \([^)]*\): the signature does not verify \(/);

    const otherIssuer = await attempt((digest) =>
      sigstore
        .sign({ identity: BUILDER, issuer: 'https://accounts.google.com' }, digest)
        .then((bundle) => sigstore.attach(registry, 'acme/web', digest, bundle)),
    );
    expect(otherIssuer.stderr).toContain(`signed through issuer https://accounts.google.com, not ${GITHUB}`);

    // What a bundle says is the signer's to choose: printed on one line, without escapes or forged log commands.
    const hostile = await attempt((digest) => attachSigned(digest, { predicateType: 'x\u001b[2J\n::error::forged line' }));
    expect(hostile.stderr).not.toContain('\u001b');
    expect(hostile.stderr).not.toContain('\n::error::');
    expect(hostile.stderr).toContain('the statement is a x [2J ::error::forged line, not a https://sigstore.dev/cosign/sign/v1');

    const noProvenance = await attempt((digest) => attachSigned(digest));
    expect(noProvenance.stderr).toContain('no valid https://slsa.dev/provenance/v1 attestation for verify rule 1');

    const wrongSource = await attempt(async (digest) => {
      await attachSigned(digest);
      await attachSigned(digest, provenance('https://github.com/mallory/platform'));
    });
    expect(wrongSource.stderr).toContain('the provenance names source https://github.com/mallory/platform, not https://github.com/acme/platform');

    const huge = await attempt((digest) => sigstore.attach(registry, 'acme/web', digest, { padding: 'x'.repeat(2 * 1024 * 1024) }));
    expect(huge.code).toBe(1);
    expect(huge.stderr).toMatch(/the blob is larger than 1048576 bytes/);

    for (const refused of [otherDigest, tampered, otherIssuer, hostile, noProvenance, wrongSource]) expect(refused.code).toBe(2);
    expect(await readFile(join(root, 'overlays/dev/images.yaml'), 'utf8')).toBe(before);

    const good = await attempt(async (digest) => {
      await attachSigned(digest);
      await attachSigned(digest, provenance('https://github.com/acme/platform'));
    });
    expect(good.code, good.stderr).toBe(0);
    expect(await readFile(join(root, 'overlays/dev/images.yaml'), 'utf8')).toContain('        provenance: https://slsa.dev/provenance/v1\n');
  });

  it('ends a signature lookup that redirects in a loop or never finishes with one line, writing nothing', async () => {
    const { registry, sigstore } = services;
    const manifest = Buffer.from('{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{},"layers":[]}');
    const digest = `sha256:${createHash('sha256').update(manifest).digest('hex')}`;
    /** A registry that serves the image, and answers the signature lookup with `signatures`. */
    const hostile = (signatures: FaultHandler) =>
      startFaultRegistry((request, response, attempt) => {
        if (request.url?.includes('/manifests/main-')) {
          response
            .writeHead(200, { 'Content-Type': 'application/vnd.oci.image.manifest.v1+json', 'Docker-Content-Digest': digest })
            .end(request.method === 'HEAD' ? undefined : manifest);
        } else if (request.url === '/v2/') response.writeHead(200).end('{}');
        else signatures(request, response, attempt);
      });
    const loop = await hostile((request, response) => response.writeHead(307, { Location: request.url ?? '/' }).end());
    const slow = await hostile((_request, response) => {
      response.writeHead(200, { 'Content-Type': 'application/vnd.oci.image.index.v1+json' });
      response.write('{"schemaVersion":2,');
    });
    try {
      for (const [server, message] of [
        [loop, /redirect loop|too many redirects/],
        [slow, /did not arrive in time|no answer/],
      ] as const) {
        const root = await repositoryRequiring(registry, sigstore, {
          rules: `  - images: ${server.host.replace(/:\d+$/, ':*')}/acme/**\n    keyless:\n      issuer: ${GITHUB}\n      identity: ^https://github\\.com/\n`,
        });
        const before = await readFile(join(root, 'overlays/dev/images.yaml'), 'utf8');
        const run = await runManifold(root, ['pin', 'dev', `web=${server.host}/acme/web:main-4040404-1733500000`, '--timeout', '1'], {
          env: { MANIFOLD_INSECURE_REGISTRIES: server.host },
        });
        expect(run.code, run.stderr).toBe(1);
        // Progress lines, then the error: one line naming the registry, and its hint.
        expect(run.stderr).toMatch(new RegExp(`^[^\\n]*${server.host}[^\\n]*(${message.source})[^\\n]*\\n  hint: `, 'm'));
        expect(await readFile(join(root, 'overlays/dev/images.yaml'), 'utf8')).toBe(before);
      }
    } finally {
      await loop.stop();
      await slow.stop();
    }
  });

  it('refuses a certificate that had expired when its signature was logged', async () => {
    const expired = await startLoopbackSigstore({ certificateClock: new Date(Date.now() - 24 * 3_600_000) });
    try {
      const { registry } = services;
      const root = await repositoryRequiring(registry, expired);
      const digest = await pushImage(registry, 'acme/web', 'main-9999999-1733109999', 'manifest');
      await expired.attach(registry, 'acme/web', digest, await expired.sign({ identity: BUILDER, issuer: GITHUB }, digest));
      const run = await runManifold(root, ['pin', 'dev', `web=${registry.host}/acme/web:main-9999999-1733109999`], {
        env: { MANIFOLD_INSECURE_REGISTRIES: registry.host },
      });
      expect(run.code).toBe(2);
      expect(run.stderr).toMatch(/no valid signature for verify rule 1 \([^)]*\): the signature does not verify \(failed to verify certificate chain\)/i);
    } finally {
      await expired.stop();
    }
  });
});

describe("verify before pin, cosign's tag format and key rules", () => {
  const services = loopbackServices();

  it('reads keyless signatures from sha256-<hex>.sig and refuses one over another digest or with a changed payload', async () => {
    const { registry, sigstore } = services;
    const root = await repositoryRequiring(registry, sigstore);
    const env = { MANIFOLD_INSECURE_REGISTRIES: registry.host };
    const builder = { identity: BUILDER, issuer: GITHUB };
    const before = await readFile(join(root, 'overlays/dev/images.yaml'), 'utf8');

    const elsewhere = await pushImage(registry, 'acme/web', 'tag-elsewhere', 'manifest');
    const other = await pushImage(registry, 'acme/web', 'main-1010101-1733400001', 'manifest');
    await sigstore.attachCosign(registry, 'acme/web', other, [await sigstore.signCosign(builder, other, { signedDigest: elsewhere })]);
    const otherDigest = await runManifold(root, ['pin', 'dev', `web=${registry.host}/acme/web:main-1010101-1733400001`], { env });
    expect(otherDigest.code).toBe(2);
    expect(otherDigest.stderr).toContain(
      `: no valid signature for verify rule 1 (${acmeImages(registry)}): the signature is for another digest, not ${other}\n`,
    );

    const changed = await pushImage(registry, 'acme/web', 'main-2020202-1733400002', 'manifest');
    const genuine = await sigstore.signCosign(builder, changed, { signedDigest: elsewhere });
    const forged = Buffer.from(genuine.payload.toString('utf8').replace(elsewhere, changed));
    await sigstore.attachCosign(registry, 'acme/web', changed, [{ ...genuine, payload: forged }]);
    const forgedRun = await runManifold(root, ['pin', 'dev', `web=${registry.host}/acme/web:main-2020202-1733400002`], { env });
    expect(forgedRun.code).toBe(2);
    expect(forgedRun.stderr).toMatch(/no valid signature for verify rule 1 \([^)]*\): the signature does not verify \(/);
    expect(await readFile(join(root, 'overlays/dev/images.yaml'), 'utf8')).toBe(before);

    const signed = await pushImage(registry, 'acme/web', 'main-3030303-1733400003', 'manifest');
    await sigstore.attachCosign(registry, 'acme/web', signed, [await sigstore.signCosign(builder, signed)]);
    const pinned = await runManifold(root, ['pin', 'dev', `web=${registry.host}/acme/web:main-3030303-1733400003`], { env });
    expect(pinned.code, pinned.stderr).toBe(0);
    expect(await readFile(join(root, 'overlays/dev/images.yaml'), 'utf8')).toMatch(
      new RegExp(`verified:\\n {8}identity: ${BUILDER.replaceAll('.', '\\.')}\\n {8}issuer: ${GITHUB.replaceAll('.', '\\.')}\\n {8}logIndex: "\\d+"\\n`),
    );
  });

  it('reads provenance from the sha256-<hex>.att tag, as cosign attest writes it, and refuses one naming another source', async () => {
    const { registry, sigstore } = services;
    const root = await repositoryRequiring(registry, sigstore, {
      extra: '    provenance:\n      predicateType: https://slsa.dev/provenance/v1\n      sourceRepository: https://github.com/acme/platform\n',
    });
    const env = { MANIFOLD_INSECURE_REGISTRIES: registry.host };
    const builder = { identity: BUILDER, issuer: GITHUB };
    const provenance = (repository: string) => ({
      predicateType: 'https://slsa.dev/provenance/v1',
      predicate: { buildDefinition: { externalParameters: { workflow: { repository } } } },
    });
    const attempt = async (tag: string, source: string) => {
      const digest = await pushImage(registry, 'acme/web', tag, 'manifest');
      await sigstore.attachCosign(registry, 'acme/web', digest, [await sigstore.signCosign(builder, digest)]);
      await sigstore.attachCosign(registry, 'acme/web', digest, [await sigstore.attestCosign(builder, digest, provenance(source))]);
      return runManifold(root, ['pin', 'dev', `web=${registry.host}/acme/web:${tag}`], { env });
    };
    const forked = await attempt('main-5050505-1733400005', 'https://github.com/mallory/platform');
    expect(forked.code).toBe(2);
    expect(forked.stderr).toContain('no valid https://slsa.dev/provenance/v1 attestation for verify rule 1');
    expect(forked.stderr).toContain('the provenance names source https://github.com/mallory/platform, not https://github.com/acme/platform');
    const built = await attempt('main-6060606-1733400006', 'https://github.com/acme/platform');
    expect(built.code, built.stderr).toBe(0);
    expect(await readFile(join(root, 'overlays/dev/images.yaml'), 'utf8')).toContain('        provenance: https://slsa.dev/provenance/v1\n');
  });

  it('pins what the named key signed, in either format; refuses another key, a certificate, and an unlogged signature unless the rule allows it', async () => {
    const { registry, sigstore } = services;
    const key = signingKey();
    const hosts = registry.host.replace(/:\d+$/, ':*');
    const rules = [
      `  - images: ${hosts}/acme/offline\n    key: keys/cosign.pub\n    transparencyLog: false\n`,
      `  - images: ${hosts}/acme/**\n    key: keys/cosign.pub\n`,
    ].join('');
    const root = await repositoryRequiring(registry, sigstore, { rules });
    await mkdir(join(root, 'keys'));
    await writeFile(join(root, 'keys/cosign.pub'), key.pem);
    const fingerprint = `sha256:${createHash('sha256')
      .update(key.publicKey.export({ format: 'der', type: 'spki' }))
      .digest('hex')}`;
    const env = { MANIFOLD_INSECURE_REGISTRIES: registry.host };
    const images = join(root, 'overlays/dev/images.yaml');
    let n = 0;
    /** Pushes an image to `repository`, signs it with `sign`, and tries to pin it as `web`. */
    const attempt = async (repository: string, sign: (digest: string) => Promise<void>) => {
      const tag = `main-${String(++n).repeat(7)}-17334100${String(n).padStart(2, '0')}`;
      const digest = await pushImage(registry, repository, tag, 'manifest');
      await sign(digest);
      return { digest, run: await runManifold(root, ['pin', 'dev', `web=${registry.host}/${repository}:${tag}`], { env }) };
    };
    const before = await readFile(images, 'utf8');

    const otherKey = await attempt('acme/web', async (digest) =>
      sigstore.attachCosign(registry, 'acme/web', digest, [await sigstore.signCosign(signingKey(), digest)]),
    );
    expect(otherKey.run.stderr).toMatch(/no valid signature for verify rule 2 \([^)]*\): the signature does not verify \(/);
    const certificate = await attempt('acme/web', async (digest) =>
      sigstore.attachCosign(registry, 'acme/web', digest, [await sigstore.signCosign({ identity: BUILDER, issuer: GITHUB }, digest)]),
    );
    expect(certificate.run.stderr).toContain('signed with a certificate, not with the key keys/cosign.pub');
    const unlogged = await attempt('acme/web', async (digest) =>
      sigstore.attachCosign(registry, 'acme/web', digest, [await sigstore.signCosign(key, digest, { log: false })]),
    );
    expect(unlogged.run.stderr).toMatch(/the signature does not verify \(expected 1 (tlog entries|timestamps), got 0\)/);
    for (const refused of [otherKey, certificate, unlogged]) expect(refused.run.code).toBe(2);
    expect(await readFile(images, 'utf8')).toBe(before);

    const tagFormat = await attempt('acme/web', async (digest) =>
      sigstore.attachCosign(registry, 'acme/web', digest, [await sigstore.signCosign(key, digest)]),
    );
    expect(tagFormat.run.code, tagFormat.run.stderr).toBe(0);
    expect(await readFile(images, 'utf8')).toMatch(new RegExp(`verified:\\n {8}key: "?${fingerprint}"?\\n {8}logIndex: "\\d+"\\n {8}time: "\\S+Z"\\n`));

    const bundle = await attempt('acme/web', async (digest) => sigstore.attach(registry, 'acme/web', digest, await sigstore.sign(key, digest)));
    expect(bundle.run.code, bundle.run.stderr).toBe(0);
    expect(await readFile(images, 'utf8')).toContain(`@${bundle.digest} # {"$imagepolicy"`);

    const offline = await attempt('acme/offline', async (digest) =>
      sigstore.attachCosign(registry, 'acme/offline', digest, [await sigstore.signCosign(key, digest, { log: false })]),
    );
    expect(offline.run.code, offline.run.stderr).toBe(0);
    expect(await readFile(images, 'utf8')).toMatch(new RegExp(`verified:\\n {8}key: "?${fingerprint}"?\\n(?! {8}logIndex)`));
    const listed = JSON.parse((await runManifold(root, ['verify', 'dev', '--json'], { env })).stdout) as { image: string; evidence?: { key?: string } }[];
    expect(listed.find((verdict) => verdict.image === 'web/web')?.evidence?.key).toBe(fingerprint);
  });
});

describe('verify before promote', () => {
  const services = loopbackServices();

  it("applies the target's rules: an unsigned digest from dev does not reach staging; once signed, it does with its evidence", async () => {
    const { registry, sigstore } = services;
    const root = await repositoryRequiring(registry, sigstore, { env: 'staging' });
    const env = { MANIFOLD_INSECURE_REGISTRIES: registry.host };
    const tag = 'main-abcdef0-1733200000';
    const digest = await pushImage(registry, 'acme/web', tag, 'manifest');
    expect((await runManifold(root, ['pin', 'dev', `web=${registry.host}/acme/web:${tag}`], { env })).code).toBe(0);
    const staging = await readFile(join(root, 'overlays/staging/images.yaml'), 'utf8');

    const refused = await runManifold(root, ['promote', 'dev', 'staging', '--only', 'web'], { env });
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain(`${registry.host}/acme/web:${tag}@${digest}: no valid signature for verify rule 1`);
    expect(await readFile(join(root, 'overlays/staging/images.yaml'), 'utf8')).toBe(staging);

    await sigstore.attach(registry, 'acme/web', digest, await sigstore.sign({ identity: BUILDER, issuer: GITHUB }, digest));
    const promoted = await runManifold(root, ['promote', 'dev', 'staging', '--only', 'web'], { env });
    expect(promoted.code, promoted.stderr).toBe(0);
    expect(await readFile(join(root, 'overlays/staging/images.yaml'), 'utf8')).toMatch(
      / {6}by: promote\n {6}from: dev\n {6}verified:\n {8}identity: https:\/\/github\.com\/acme\/platform\//,
    );
  });
});

describe('manifold verify', () => {
  it('checks every committed pin against its rule, fails on one that does not pass, and remembers a verdict so a registry gone away does not matter', async () => {
    const registry = await startRegistry('open');
    const sigstore = await startLoopbackSigstore();
    try {
      const root = await repositoryRequiring(registry, sigstore, { ownCaches: true });
      git(root, 'init', '--quiet', '--initial-branch=main');
      git(root, 'add', '-A', 'overlays', 'apps', 'dist', 'sigstore');
      git(root, 'commit', '--quiet', '-m', 'before');
      const env = { MANIFOLD_INSECURE_REGISTRIES: registry.host };
      const signed = await pushImage(registry, 'acme/web', 'main-1234567-1733300000', 'manifest');
      await sigstore.attach(registry, 'acme/web', signed, await sigstore.sign({ identity: BUILDER, issuer: GITHUB }, signed));
      expect((await runManifold(root, ['pin', 'dev', `web=${registry.host}/acme/web:main-1234567-1733300000`], { env })).code).toBe(0);

      const listed = JSON.parse((await runManifold(root, ['images', 'dev', '--json'])).stdout) as { image: string; verified: string | null }[];
      expect(listed.find((row) => row.image === 'web/web')?.verified).toBe(BUILDER);
      expect(listed.find((row) => row.image === 'ml-api/api')?.verified).toBeNull();
      expect((await runManifold(root, ['images', 'dev'])).stdout).toMatch(/web\/web\s+dev\s+main-1234567-1733300000\s+\S+\s+auto\s+verified\s/);

      // The review of the change says whose signature was checked, and so does the release board.
      const review = await runManifold(root, ['diff', '--base', 'main', '--markdown']);
      expect(review.stdout).toContain(`Signatures checked:\n\n- dev web/web: signed by \`${BUILDER}\` (Rekor log index `);
      git(root, 'add', '-A', 'overlays', 'dist');
      git(root, 'commit', '--quiet', '-m', 'pins');
      expect((await runManifold(root, ['board', '--out', 'site'])).code).toBe(0);
      expect(await readFile(join(root, 'site/index.html'), 'utf8')).toContain(
        `<span class="flag verified" title="signed by ${BUILDER} (issuer ${GITHUB}, Rekor log index `,
      );

      const checked = await runManifold(root, ['verify', 'dev'], { env });
      expect(checked.code, checked.stderr).toBe(0);
      expect(checked.stdout).toContain(`verified     dev web/web: ${BUILDER} (issuer ${GITHUB}, Rekor log index `);
      expect(checked.stdout).toContain('not covered  dev ml-api/api: no verify: rule names ghcr.io/acme/ml-api:');

      // A pin edited by hand to a digest nobody signed is caught.
      const unsigned = await pushImage(registry, 'acme/api', 'main-7654321-1733300001', 'manifest');
      const images = join(root, 'overlays/dev/images.yaml');
      const text = await readFile(images, 'utf8');
      await writeFile(images, text.replace(/ref: ghcr\.io\/acme\/ml-api:\S+/, `ref: ${registry.host}/acme/api:main-7654321-1733300001@${unsigned}`));
      const caught = await runManifold(root, ['verify', 'dev', '--json'], { env });
      expect(caught.code).toBe(1);
      const verdicts = JSON.parse(caught.stdout) as { image: string; status: string; reason?: string }[];
      expect(verdicts.find((verdict) => verdict.image === 'ml-api/api')).toMatchObject({ status: 'refused' });
      expect(verdicts.find((verdict) => verdict.image === 'ml-api/api')?.reason).toContain('the registry holds no signature for it');
      await writeFile(images, text);

      // The signed digest's verdict is remembered: with the registry gone, it still verifies.
      await registry.stop();
      const offline = await runManifold(root, ['verify', 'dev'], { env });
      expect(offline.code, offline.stderr).toBe(0);
      expect(offline.stdout).toContain(`verified     dev web/web: ${BUILDER}`);
    } finally {
      await registry.stop().catch(() => undefined);
      await sigstore.stop();
    }
  });
});
