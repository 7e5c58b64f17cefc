import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../errors/config-error.ts';
import { digestOf, ENVIRONMENT_YAML, TIMESTAMP_POLICY, writeOverlay } from '../testing/overlay-fixture.ts';
import { loadEnvironment } from './load-environment.ts';
import { YamlEntries } from './yaml-entries.ts';

const DIGEST = digestOf('c');
const ENVIRONMENT = ENVIRONMENT_YAML;
const PATTERN = TIMESTAMP_POLICY.split('\n').slice(1).join('\n');
const repo = (env: string, environment: string, images: string): Promise<string> => writeOverlay(env, environment, images);

/** The error of loading `env`, the same whether images.yaml is checked whole or entry by entry (as synth does). */
async function loadError(env: string, environment: string, images: string): Promise<ConfigError> {
  const root = await repo(env, environment, images);
  const error = await loadEnvironment(root, env).catch((caught: unknown) => caught);
  if (!(error instanceof ConfigError)) throw new Error(`expected a ConfigError, got ${String(error)}`);
  const byEntry = await loadEnvironment(root, env, undefined, YamlEntries.open(undefined)).catch((caught: unknown) => caught);
  expect(byEntry instanceof ConfigError && { message: byEntry.message, details: byEntry.details }).toEqual({ message: error.message, details: error.details });
  return error;
}

describe('loadEnvironment', () => {
  it('loads pins with their policy key and defaults', async () => {
    const images = `api:\n  api:\n    ref: ghcr.io/acme/api:main-abc1234-1732150000@${DIGEST}\n    update:\n${PATTERN}  worker:\n    ref: ghcr.io/acme/worker:v1\n`;
    const env = await loadEnvironment(await repo('dev', ENVIRONMENT, images), 'dev');
    expect(env.requireDigests).toBe(false);
    expect(env.flux.namespace).toBe('flux-system');
    expect(env.flux.pushBranch).toBe('flux/image-updates/dev');
    expect(env.pins.get('api/api')?.policy).toEqual({ namespace: 'flux-system', name: 'dev-api-api' });
    expect(env.pins.get('api/api')?.position).toEqual({ file: 'overlays/dev/images.yaml', line: 3, col: 10 });
    expect(env.pins.get('api/worker')?.policy).toBeUndefined();
  });

  it('gives a held pin no policy, so Flux cannot move it', async () => {
    const images = `api:\n  api:\n    ref: ghcr.io/acme/api:main-abc1234-1732150000@${DIGEST}\n    hold: true\n    update:\n${PATTERN}`;
    const env = await loadEnvironment(await repo('dev', ENVIRONMENT, images), 'dev');
    expect(env.pins.get('api/api')?.policy).toBeUndefined();
  });

  it('names an unknown key (a typo) in environment.yaml at its position', async () => {
    const error = await loadError('dev', `${ENVIRONMENT}replicaz: 3\n`, '{}\n');
    expect(error.details).toMatchObject({ file: 'overlays/dev/environment.yaml', line: 8, col: 1 });
    expect(error.message).toContain('unknown key "replicaz"');
  });

  it('names a missing required field', async () => {
    const error = await loadError('dev', 'namespace: team-dev\nsizes: {}\n', '{}\n');
    expect(error.message).toContain('domain');
    expect(error.details.hint).toBe('add "domain"');
  });

  it('rejects a pin that is not a valid reference', async () => {
    const error = await loadError('dev', ENVIRONMENT, 'api:\n  api:\n    ref: "Not A Ref"\n');
    expect(error.details).toMatchObject({ line: 3, col: 10 });
    expect(error.message).toContain('is not a valid image reference');
  });

  it('rejects a digest that is not 64 hex digits', async () => {
    const error = await loadError('dev', ENVIRONMENT, 'api:\n  api:\n    ref: ghcr.io/acme/api:v1@sha256:1234\n');
    expect(error.message).toContain('is not sha256 followed by 64 lowercase hex digits');
  });

  it('rejects a mutable tag in prod, which requires digests by default', async () => {
    const error = await loadError('prod', ENVIRONMENT, 'api:\n  api:\n    ref: ghcr.io/acme/api:v1\n');
    expect(error.message).toContain('without a digest, but prod requires digests');
    expect(error.details.hint).toContain('pnpm manifold pin prod api/api=');
  });

  it('rejects an extract group the pattern does not have', async () => {
    const images =
      "api:\n  api:\n    ref: ghcr.io/acme/api:v1\n    update:\n      pattern: '^main-(?P<ts>[0-9]+)$'\n      extract: $time\n      sort: numerical\n";
    const error = await loadError('dev', ENVIRONMENT, images);
    expect(error.details).toMatchObject({ line: 6, col: 16 });
    expect(error.message).toContain('no named group "time"');
  });

  it('refuses an environment name that would escape dist/', async () => {
    const root = await repo('dev', ENVIRONMENT, '{}\n');
    const error = await loadEnvironment(root, '../x').catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).message).toContain('is not a DNS-1123 label');
  });

  it('refuses update policies Flux could not use, at the field', async () => {
    const pin = (update: string, tag = 'main-abc1234-1732150000') => `api:\n  api:\n    ref: ghcr.io/acme/api:${tag}\n    update:\n${update}`;
    const lookahead = await loadError(
      'dev',
      ENVIRONMENT,
      pin("      pattern: '^main-(?=[a-f0-9]+)-(?P<ts>[0-9]+)$'\n      extract: $ts\n      sort: numerical\n"),
    );
    expect(lookahead.details).toMatchObject({ line: 5, col: 16 });
    expect(lookahead.message).toMatch(/pattern is not valid RE2 \(Go\) syntax/);
    const range = await loadError('dev', ENVIRONMENT, pin("      semver: 'the newest'\n", '1.2.3'));
    expect(range.message).toMatch(/semver range "the newest" does not parse/);
    const group = await loadError('dev', ENVIRONMENT, pin("      pattern: '^main-[a-f0-9]+-(?P<ts>[0-9]+)$'\n      extract: $time\n      sort: numerical\n"));
    expect(group.message).toMatch(/pattern has no named group "time"/);
  });

  it('refuses a pin whose own tag its policy would not select, since Flux would move it at once', async () => {
    const images = (tag: string, update: string) => `api:\n  api:\n    ref: ghcr.io/acme/api:${tag}\n    update:\n${update}`;
    const pattern = await loadError('dev', ENVIRONMENT, images('latest', PATTERN));
    expect(pattern.details).toMatchObject({ line: 5, col: 7 });
    expect(pattern.message).toMatch(/the pinned tag "latest" of api\/api is not one its pattern .* selects, so Flux would move it at once/);
    const range = await loadError('dev', ENVIRONMENT, images('2.0.0', "      semver: '>=1.0.0 <2.0.0'\n"));
    expect(range.message).toMatch(/"2\.0\.0" of api\/api is not one its semver range/);
    const numeric = await loadError(
      'dev',
      ENVIRONMENT,
      images('build-abc', "      pattern: '^build-(?P<n>[a-z0-9]+)$'\n      extract: $n\n      sort: numerical\n"),
    );
    expect(numeric.message).toMatch(/gives "abc", which is not a number/);
  });

  it('refuses invalid UTF-8 and CR line endings in an overlay instead of rewriting them', async () => {
    const root = await repo('dev', ENVIRONMENT, `api:\n  api:\n    ref: ghcr.io/acme/api:v1\n`);
    const images = join(root, 'overlays/dev/images.yaml');
    await writeFile(images, Buffer.concat([Buffer.from('api:\n  api:\n    # caf'), Buffer.from([0xe9]), Buffer.from('\n    ref: ghcr.io/acme/api:v1\n')]));
    const invalid = await loadEnvironment(root, 'dev').then(
      () => new Error('loaded'),
      (caught: Error) => caught,
    );
    expect(invalid.message).toBe('overlays/dev/images.yaml:3:10: invalid UTF-8 (byte 0xe9)');
    await writeFile(images, 'api:\n  api:\r\n    ref: ghcr.io/acme/api:v1\r\n');
    const crlf = await loadEnvironment(root, 'dev').then(
      () => new Error('loaded'),
      (caught: Error) => caught,
    );
    expect(crlf.message).toMatch(/^overlays\/dev\/images\.yaml:2:7: line ends with CR/);
  });
});
