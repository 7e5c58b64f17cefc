/** The cluster enforces the verify: rules too: synth writes the Kyverno policy that checks what git checks. */
import { X509Certificate } from 'node:crypto';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { type LoopbackSigstore, signingKey, startLoopbackSigstore } from './sigstore/loopback-sigstore.ts';
import { copyRepository, runManifold } from './temp-repo.ts';

const GITHUB = 'https://token.actions.githubusercontent.com';
const IDENTITY = '^https://github\\.com/acme/platform/\\.github/workflows/build-and-pin\\.yml@refs/heads/main$';

interface KyvernoRule {
  readonly name: string;
  readonly verifyImages?: {
    readonly type: string;
    readonly imageReferences: string[];
    readonly skipImageReferences?: string[];
    readonly failureAction: string;
    readonly attestors: { readonly entries: { readonly keyless?: Record<string, unknown>; readonly keys?: Record<string, unknown> }[] }[];
    readonly attestations?: { readonly type: string; readonly conditions?: unknown }[];
  }[];
  readonly validate?: { readonly pattern: { readonly spec: Record<string, { image: string }[]> } };
}

describe('admission policy', () => {
  let sigstore: LoopbackSigstore;
  beforeAll(async () => {
    sigstore = await startLoopbackSigstore();
  });
  afterAll(() => sigstore.stop());

  /** A copy of the example whose dev environment has `rules` (YAML list items), trusts the loopback Sigstore and asks for Kyverno. */
  async function repositoryWith(rules: string, key: string): Promise<string> {
    const root = await copyRepository(undefined, { ownCaches: true });
    await mkdir(join(root, 'sigstore'));
    await mkdir(join(root, 'keys'));
    await writeFile(join(root, 'sigstore/trusted_root.json'), JSON.stringify(sigstore.trustedRoot));
    await writeFile(join(root, 'keys/postgres.pub'), key);
    const file = join(root, 'overlays/dev/environment.yaml');
    const settings = `trustedRoot: sigstore/trusted_root.json\nrequireVerified: true\nadmission:\n  engine: kyverno\nverify:\n${rules}`;
    await writeFile(file, `${await readFile(file, 'utf8')}${settings}`);
    return root;
  }

  it('writes the Kyverno Policy from the same rules, trust and keys, keeps it current, and re-renders it when a key changes', async () => {
    const key = signingKey().pem;
    const root = await repositoryWith(
      [
        `  - images: ghcr.io/acme/*\n    keyless:\n      issuer: ${GITHUB}\n      identity: ${IDENTITY}\n`,
        '    provenance:\n      predicateType: https://slsa.dev/provenance/v1\n      sourceRepository: https://github.com/acme/platform\n',
        '  - images: docker.io/library/postgres\n    key: keys/postgres.pub\n',
      ].join(''),
      key,
    );
    const synth = await runManifold(root, ['synth']);
    expect(synth.code, synth.stderr).toBe(0);
    expect(await readdir(join(root, 'dist/dev/_policy'))).toEqual(['policy-manifold-verify-images.yaml']);
    expect(await readFile(join(root, 'dist/dev/kustomization.yaml'), 'utf8')).toContain('  - _policy/policy-manifold-verify-images.yaml\n');
    const policy = parse(await readFile(join(root, 'dist/dev/_policy/policy-manifold-verify-images.yaml'), 'utf8')) as {
      apiVersion: string;
      kind: string;
      metadata: { name: string; namespace: string };
      spec: { rules: KyvernoRule[] };
    };
    expect([policy.apiVersion, policy.kind, policy.metadata.namespace]).toEqual(['kyverno.io/v1', 'Policy', 'acme-dev']);
    const [keyless, keyed, coverage] = policy.spec.rules;
    expect(policy.spec.rules.map((rule) => rule.name)).toEqual(['verify-rule-1', 'verify-rule-2', 'require-verify-rule']);

    const first = keyless?.verifyImages?.[0];
    expect(first).toMatchObject({ type: 'SigstoreBundle', imageReferences: ['ghcr.io/acme/*:*', 'ghcr.io/acme/*@*'], failureAction: 'Enforce' });
    const attestor = first?.attestors[0]?.entries[0]?.keyless as {
      issuer: string;
      subjectRegExp: string;
      roots: string;
      rekor: { url: string; pubkey: string };
    };
    expect([attestor.issuer, attestor.subjectRegExp]).toEqual([GITHUB, IDENTITY]);
    // The trust is the trusted root's: its CA certificate and its Rekor log, the same git checks against.
    const trusted = sigstore.trustedRoot as { certificateAuthorities: { certChain: { certificates: { rawBytes: string }[] } }[]; tlogs: { baseUrl: string }[] };
    const ca = new X509Certificate(Buffer.from(trusted.certificateAuthorities[0]?.certChain.certificates[0]?.rawBytes ?? '', 'base64'));
    expect(new X509Certificate(attestor.roots).fingerprint256).toBe(ca.fingerprint256);
    expect(attestor.rekor.url).toBe(trusted.tlogs[0]?.baseUrl);
    expect(first?.attestations).toEqual([
      {
        type: 'https://slsa.dev/provenance/v1',
        attestors: first?.attestors,
        conditions: [
          { all: [{ key: '{{ buildDefinition.externalParameters.workflow.repository }}', operator: 'Equals', value: 'https://github.com/acme/platform' }] },
        ],
      },
    ]);

    // First match wins: the key rule skips what the first rule takes, and checks the committed key.
    const second = keyed?.verifyImages?.[0];
    expect(second?.imageReferences).toEqual(['docker.io/library/postgres:*', 'docker.io/library/postgres@*']);
    expect(second?.skipImageReferences).toEqual(first?.imageReferences);
    expect(second?.attestors[0]?.entries[0]?.keys).toMatchObject({ publicKeys: key, rekor: { url: attestor.rekor.url } });
    expect(coverage?.validate?.pattern.spec.containers).toEqual([
      { image: 'ghcr.io/acme/*:* | ghcr.io/acme/*@* | docker.io/library/postgres:* | docker.io/library/postgres@*' },
    ]);

    expect((await runManifold(root, ['synth', '--check'])).code).toBe(0);
    await writeFile(join(root, 'keys/postgres.pub'), signingKey().pem);
    const stale = await runManifold(root, ['synth', '--check']);
    expect(stale.code).toBe(1);
    expect(stale.stdout + stale.stderr).toContain('dist/dev/_policy/policy-manifold-verify-images.yaml');
  });

  it("refuses rules the cluster would apply differently, because Kyverno's * spans /", async () => {
    const root = await repositoryWith(
      [
        `  - images: ghcr.io/*\n    keyless:\n      issuer: ${GITHUB}\n      identity: ^https://github\\.com/\n`,
        `  - images: ghcr.io/acme/*\n    keyless:\n      issuer: ${GITHUB}\n      identity: ${IDENTITY}\n`,
        '  - images: docker.io/library/postgres\n    key: keys/postgres.pub\n',
      ].join(''),
      signingKey().pem,
    );
    const synth = await runManifold(root, ['synth']);
    expect(synth.code).toBe(2);
    expect(synth.stderr).toMatch(
      /^overlays\/dev\/environment\.yaml:\d+:\d+: in the cluster this rule would also check \S+ \(ghcr\.io\/acme\/\S+\), because Kyverno's \* spans \/, while rule 2 covers it here\n {2}hint: put a rule naming that repository first/,
    );
    await expect(readdir(join(root, 'dist/dev/_policy'))).rejects.toThrow(/ENOENT/);
  });
});
