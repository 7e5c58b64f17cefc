/** Verify before pin: an environment with verify: rules pins only digests signed by the identity its rule names. */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRegistry, type TestRegistry } from './registry/docker-registry.ts';
import { pushImage } from './registry/push-image.ts';
import { type LoopbackSigstore, startLoopbackSigstore } from './sigstore/loopback-sigstore.ts';
import { copyRepository, runManifold } from './temp-repo.ts';

const GITHUB = 'https://token.actions.githubusercontent.com';
const BUILDER = 'https://github.com/acme/platform/.github/workflows/build-and-pin.yml@refs/heads/main';

describe('verify before pin', () => {
  let registry: TestRegistry;
  let sigstore: LoopbackSigstore;
  beforeAll(async () => {
    registry = await startRegistry('open');
    sigstore = await startLoopbackSigstore();
  });
  afterAll(async () => {
    await registry.stop();
    await sigstore.stop();
  });

  /** A copy whose dev environment requires images of the loopback registry to be signed by the build workflow. */
  async function repository(): Promise<string> {
    const root = await copyRepository();
    await mkdir(join(root, 'sigstore'));
    await writeFile(join(root, 'sigstore/trusted_root.json'), JSON.stringify(sigstore.trustedRoot, null, 2));
    const file = join(root, 'overlays/dev/environment.yaml');
    const rule = `trustedRoot: sigstore/trusted_root.json\nverify:\n  - images: ${registry.host.replace(/:\d+$/, ':*')}/acme/**\n    keyless:\n      issuer: ${GITHUB}\n      identity: ^${BUILDER.replaceAll('.', '\\.')}$\n`;
    await writeFile(file, `${await readFile(file, 'utf8')}${rule}`);
    return root;
  }

  it('pins a digest the build identity signed, with its evidence; refuses an unsigned one and one signed by another identity, writing nothing', async () => {
    const root = await repository();
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
      `${registry.host}/acme/web:main-2222222-1733100002@${unsigned}: no valid signature for verify rule 1 (${registry.host.replace(/:\d+$/, ':*')}/acme/**): the registry holds no Sigstore bundle for it\n  hint: pin a digest signed (and attested) by the identity the rule names; nothing was written\n`,
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
