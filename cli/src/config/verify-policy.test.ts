import { describe, expect, it } from 'vitest';
import { ConfigError } from '../errors/config-error.ts';
import { ENVIRONMENT_YAML, writeOverlay } from '../testing/overlay-fixture.ts';
import { loadEnvironment } from './load-environment.ts';
import { ruleFor, type VerifyRule } from './verify-policy.ts';

const keyless = { issuer: 'https://token.actions.githubusercontent.com', identity: '^https://github\\.com/acme/' };
const rule = (images: string): VerifyRule => ({ images, keyless });

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

  it('gives the environment its rules and trusted root', async () => {
    const env = await load(`trustedRoot: sigstore/trusted_root.json\nrequireVerified: true\n${rules}`);
    expect(typeof env === 'string' ? env : env.verification).toEqual({
      rules: [{ images: 'ghcr.io/acme/*', keyless }],
      required: true,
      trustedRoot: 'sigstore/trusted_root.json',
    });
  });

  it('refuses rules without a trusted root, requireVerified without rules or with a pin no rule covers, and an identity Go cannot compile', async () => {
    expect(await load(rules)).toMatch(/^overlays\/dev\/environment\.yaml:\d+:\d+: verify: rules need trustedRoot: /);
    expect(await load('requireVerified: true\n')).toMatch(/^overlays\/dev\/environment\.yaml:\d+:\d+: requireVerified is set, but there is no verify: rule\n/);
    expect(
      await load(`trustedRoot: t.json\nrequireVerified: true\n${rules}`, 'db:\n  db:\n    ref: docker.io/library/postgres:16@sha256:' + 'a'.repeat(64) + '\n'),
    ).toMatch(
      /^overlays\/dev\/images\.yaml:3:10: db\/db \(docker\.io\/library\/postgres\) is covered by no verify: rule, but this environment requires every pin to be verified\n/,
    );
    expect(await load(`trustedRoot: t.json\n${rules.replace('^https://github\\.com/acme/', '(?=lookahead)')}`)).toMatch(/not a Go regular expression/);
    expect(await load(`trustedRoot: ../outside.json\n${rules}`)).toMatch(/expected a path inside the repository/);
  });
});
