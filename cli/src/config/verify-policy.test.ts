import { generateKeyPairSync } from 'node:crypto';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../errors/config-error.ts';
import { ENVIRONMENT_YAML, writeOverlay } from '../testing/overlay-fixture.ts';
import { loadEnvironment } from './load-environment.ts';
import { ruleFor, type VerifyRule } from './verify-policy.ts';

const keyless = { issuer: 'https://token.actions.githubusercontent.com', identity: '^https://github\\.com/acme/' };
const rule = (images: string): VerifyRule => ({ images, keyless, transparencyLog: true });

describe('ruleFor', () => {
  it('takes the first rule whose glob matches: * within a path segment, ** across them', () => {
    const rules = [rule('ghcr.io/acme/*'), rule('ghcr.io/**'), rule('docker.io/library/postgres')];
    expect(ruleFor(rules, 'ghcr.io/acme/web')?.index).toBe(0);
    expect(ruleFor(rules, 'ghcr.io/acme/team/web')?.index).toBe(1);
    expect(ruleFor(rules, 'docker.io/library/postgres')?.index).toBe(2);
    expect(ruleFor(rules, 'docker.io/library/postgresql')).toBeUndefined();
    expect(ruleFor(rules, 'ghcr.io.evil.com/acme/web')).toBeUndefined();
  });
});

describe('verify: in environment.yaml', () => {
  const load = async (extra: string, images = 'web:\n  web:\n    ref: ghcr.io/acme/web:1.0.0\n') => {
    try {
      return await loadEnvironment(await writeOverlay('dev', `${ENVIRONMENT_YAML}${extra}`, images), 'dev');
    } catch (error) {
      if (error instanceof ConfigError) return error.format();
      throw error;
    }
  };
  const rules = `verify:\n  - images: ghcr.io/acme/*\n    keyless:\n      issuer: https://token.actions.githubusercontent.com\n      identity: ^https://github\\.com/acme/\n`;

  it('gives the environment its rules and trusted root, and names a trusted root it cannot read', async () => {
    const root = await writeOverlay('dev', `${ENVIRONMENT_YAML}trustedRoot: sigstore/trusted_root.json\nrequireVerified: true\n${rules}`, '{}\n');
    const missing = await loadEnvironment(root, 'dev').catch((error: ConfigError) => error.format());
    expect(missing).toMatch(/^overlays\/dev\/environment\.yaml:8:14: cannot read the trusted root sigstore\/trusted_root\.json \(ENOENT\)\n/);
    await mkdir(join(root, 'sigstore'));
    await writeFile(join(root, 'sigstore/trusted_root.json'), '{"tlogs": []}\n');
    expect((await loadEnvironment(root, 'dev')).verification).toEqual({
      rules: [{ images: 'ghcr.io/acme/*', keyless, transparencyLog: true }],
      required: true,
      trustedRoot: { file: 'sigstore/trusted_root.json', text: '{"tlogs": []}\n' },
      keys: new Map(),
    });
  });

  it('refuses rules without a trusted root, requireVerified without rules or with a pin no rule covers, and an identity Go cannot compile', async () => {
    expect(await load(rules)).toMatch(/^overlays\/dev\/environment\.yaml:\d+:\d+: verify: rules need trustedRoot: /);
    expect(await load('requireVerified: true\n')).toMatch(/^overlays\/dev\/environment\.yaml:\d+:\d+: requireVerified is set, but there is no verify: rule\n/);
    expect(
      await load(`trustedRoot: t.json\nrequireVerified: true\n${rules}`, `db:\n  db:\n    ref: docker.io/library/postgres:16@sha256:${'a'.repeat(64)}\n`),
    ).toMatch(
      /^overlays\/dev\/images\.yaml:3:10: db\/db \(docker\.io\/library\/postgres\) is covered by no verify: rule, but this environment requires every pin to be verified\n/,
    );
    expect(await load(`trustedRoot: t.json\n${rules.replace('^https://github\\.com/acme/', '(?=lookahead)')}`)).toMatch(/not a Go regular expression/);
    expect(await load(`trustedRoot: ../outside.json\n${rules}`)).toMatch(/expected a path inside the repository/);
  });

  it('reads the public key a key rule names, and needs no trusted root for a key without a log', async () => {
    const { publicKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
    const pem = publicKey.export({ format: 'pem', type: 'spki' }).toString();
    const keyRule = 'verify:\n  - images: docker.io/library/postgres\n    key: keys/postgres.pub\n    transparencyLog: false\n';
    const root = await writeOverlay('dev', `${ENVIRONMENT_YAML}${keyRule}`, 'db:\n  db:\n    ref: docker.io/library/postgres:16\n');
    await mkdir(join(root, 'keys'));
    await writeFile(join(root, 'keys/postgres.pub'), pem);
    const env = await loadEnvironment(root, 'dev');
    expect(env.verification?.trustedRoot).toBeUndefined();
    expect(env.verification?.keys).toEqual(new Map([['keys/postgres.pub', pem]]));
    await writeFile(join(root, 'keys/postgres.pub'), 'not a key\n');
    await expect(loadEnvironment(root, 'dev')).rejects.toThrow(/keys\/postgres\.pub is not a PEM public key/);
    await rm(join(root, 'keys/postgres.pub'));
    const missing = await loadEnvironment(root, 'dev').catch((error: ConfigError) => error.format());
    expect(missing).toMatch(/^overlays\/dev\/environment\.yaml:\d+:10: cannot read the public key keys\/postgres\.pub \(ENOENT\)\n/);
  });

  it('refuses a rule naming both or neither signer, a keyless rule without the log, and a key outside the repository', async () => {
    const both = `trustedRoot: t.json\n${rules}    key: keys/k.pub\n`;
    expect(await load(both)).toMatch(/^overlays\/dev\/environment\.yaml:\d+:\d+: .*either as keyless: .* or as key:/);
    expect(await load('trustedRoot: t.json\nverify:\n  - images: ghcr.io/acme/*\n')).toMatch(/either as keyless: .* or as key:/);
    expect(await load(`trustedRoot: t.json\n${rules}    transparencyLog: false\n`)).toMatch(/keyless signatures need the transparency log/);
    expect(await load('verify:\n  - images: ghcr.io/*\n    key: ../k.pub\n')).toMatch(/expected a path inside the repository, such as keys\/postgres\.pub/);
    expect(await load('verify:\n  - images: ghcr.io/*\n    key: keys/k.pub\n')).toMatch(/verify: rules need trustedRoot/);
  });
});
