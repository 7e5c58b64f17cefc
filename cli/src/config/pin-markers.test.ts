import { describe, expect, it } from 'vitest';
import { ConfigError } from '../errors/config-error.ts';
import { digestOf, ENVIRONMENT_YAML, TIMESTAMP_POLICY, writeOverlay } from '../testing/overlay-fixture.ts';
import { loadEnvironment } from './load-environment.ts';
import { syncPinMarkers } from './pin-markers.ts';

const REF = `ghcr.io/acme/api:main-abc1234-1732150000@${digestOf('a')}`;
const MARKER = '# {"$imagepolicy": "flux-system:dev-api-api"}';

async function sync(images: string): Promise<string> {
  return syncPinMarkers(await loadEnvironment(await writeOverlay('dev', ENVIRONMENT_YAML, images), 'dev'));
}

describe('syncPinMarkers', () => {
  it('adds the marker to the ref line of a pin with an update policy, touching nothing else', async () => {
    const images = `# pins\napi:\n  api:\n    # built by CI\n    ref: ${REF}\n${TIMESTAMP_POLICY}`;
    expect(await sync(images)).toBe(images.replace(`ref: ${REF}\n`, `ref: ${REF} ${MARKER}\n`));
  });

  it('keeps a marker that is already right, byte for byte', async () => {
    const images = `api:\n  api:\n    ref: "${REF}" ${MARKER}\n${TIMESTAMP_POLICY}`;
    expect(await sync(images)).toBe(images);
  });

  it('removes the marker of a held pin and of a pin without a policy', async () => {
    const held = `api:\n  api:\n    ref: ${REF} ${MARKER}\n    hold: true\n${TIMESTAMP_POLICY}`;
    expect(await sync(held)).toBe(held.replace(` ${MARKER}`, ''));
    const fixed = `api:\n  api:\n    ref: ${REF} ${MARKER}\n`;
    expect(await sync(fixed)).toBe(`api:\n  api:\n    ref: ${REF}\n`);
  });

  it('replaces a marker naming another policy', async () => {
    const images = `api:\n  api:\n    ref: ${REF} # {"$imagepolicy": "flux-system:old-name"}\n${TIMESTAMP_POLICY}`;
    expect(await sync(images)).toContain(`ref: ${REF} ${MARKER}\n`);
  });

  it("refuses to overwrite a person's comment where the marker must go", async () => {
    const images = `api:\n  api:\n    ref: ${REF} # rolled forward by Alice\n${TIMESTAMP_POLICY}`;
    const error = await sync(images).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).details).toMatchObject({ line: 3, col: 10 });
    expect((error as ConfigError).details.hint).toContain('move the comment to the line above');
  });

  it("leaves a person's comment alone when no marker is needed", async () => {
    const images = `api:\n  api:\n    ref: ${REF} # pinned for the audit\n`;
    expect(await sync(images)).toBe(images);
  });
});
