import { describe, expect, it } from 'vitest';
import { imagePolicyMarker, imagePolicyName } from './image-policy-marker.ts';

describe('imagePolicyMarker', () => {
  it('writes the exact JSON Flux documents, with the field suffix for derived values', () => {
    const policy = { namespace: 'flux-system', name: 'dev-api-api' };
    expect(imagePolicyMarker(policy, 'full')).toBe(' {"$imagepolicy": "flux-system:dev-api-api"}');
    expect(imagePolicyMarker(policy, 'digest')).toBe(' {"$imagepolicy": "flux-system:dev-api-api:digest"}');
  });
});

describe('imagePolicyName', () => {
  it('joins env, app and image into a DNS-1123 label', () => {
    expect(imagePolicyName('dev', 'jobs-manager', 'ingestor')).toBe('dev-jobs-manager-ingestor');
  });

  it('differs between environments so markers of one env never match another', () => {
    expect(imagePolicyName('dev', 'api', 'api')).not.toBe(imagePolicyName('prod', 'api', 'api'));
  });

  it('shortens long names to 63 characters and keeps them distinct and stable', () => {
    const long = 'a'.repeat(40);
    const first = imagePolicyName('staging', long, `${long}-one`);
    const second = imagePolicyName('staging', long, `${long}-two`);
    expect(first.length).toBeLessThanOrEqual(63);
    expect(first).toMatch(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/);
    expect(first).not.toBe(second);
    expect(imagePolicyName('staging', long, `${long}-one`)).toBe(first);
  });
});
