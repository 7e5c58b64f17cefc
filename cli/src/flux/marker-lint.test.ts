import { describe, expect, it } from 'vitest';
import { loadEnvironment } from '../config/load-environment.ts';
import { syncPinMarkers } from '../config/pin-markers.ts';
import { ConfigError } from '../errors/config-error.ts';
import { markerLines } from '../markers/setter-markers.ts';
import { digestOf, ENVIRONMENT_YAML, TIMESTAMP_POLICY, writeOverlay } from '../testing/overlay-fixture.ts';
import { lintMarkers } from './marker-lint.ts';

const REF = `ghcr.io/acme/api:main-abc1234-1732150000@${digestOf('a')}`;
const MARKER = '# {"$imagepolicy": "flux-system:dev-api-api"}';

async function lint(images: string, files: Record<string, string> = {}): Promise<ConfigError | undefined> {
  const env = await loadEnvironment(await writeOverlay('dev', ENVIRONMENT_YAML, images), 'dev');
  try {
    lintMarkers(env, new Map(Object.entries(files).map(([path, text]) => [path, markerLines(text)])), syncPinMarkers(env));
    return undefined;
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
}

describe('lintMarkers', () => {
  it('accepts markers on values that name the environment’s policies', async () => {
    expect(await lint(`api:\n  api:\n    ref: ${REF}\n${TIMESTAMP_POLICY}`, { 'api/deployment-api.yaml': `image: ${REF} ${MARKER}\n` })).toBeUndefined();
  });

  it('refuses a marker Flux cannot see (on the line above a key)', async () => {
    const error = await lint(`api:\n  api:\n    ${MARKER}\n    ref: ${REF}\n${TIMESTAMP_POLICY}`);
    expect(error?.message).toContain('1 Flux marker(s) sit where Flux cannot see them');
  });

  it('refuses a marker naming a policy synth does not generate', async () => {
    const error = await lint(
      `api:\n  api:\n    ref: ${REF}\n${TIMESTAMP_POLICY.replace('extract: $ts', 'extract: $ts # {"$imagepolicy": "flux-system:prod-api-api"}')}`,
    );
    expect(error?.message).toContain('marker flux-system:prod-api-api is not a policy of dev');
  });

  it('refuses a generated file whose marker is not on a single-line value', async () => {
    const error = await lint(`api:\n  api:\n    ref: ${REF}\n${TIMESTAMP_POLICY}`, { 'api/configmap-x.yaml': `data:\n  note: | ${MARKER}\n    text\n` });
    expect(error?.details).toMatchObject({ file: 'dist/dev/api/configmap-x.yaml', line: 2 });
    expect(error?.message).toContain('where Flux cannot see it');
  });
});
