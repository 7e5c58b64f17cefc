import { describe, expect, it } from 'vitest';
import { KNOWN_KUBERNETES_VERSIONS } from '../config/kubernetes-version.ts';
import { unservedReason } from './kubernetes-versions.ts';

describe('unservedReason', () => {
  it('follows removals and additions release by release, by API version and by kind', () => {
    const served = (apiVersion: string, kind: string) => KNOWN_KUBERNETES_VERSIONS.filter((version) => !unservedReason(apiVersion, kind, version));
    expect(served('flowcontrol.apiserver.k8s.io/v1beta3', 'FlowSchema')).toEqual(['1.28', '1.29', '1.30', '1.31']);
    expect(served('flowcontrol.apiserver.k8s.io/v1', 'FlowSchema')).toEqual(['1.29', '1.30', '1.31', '1.32', '1.33', '1.34', '1.35']);
    expect(served('admissionregistration.k8s.io/v1', 'ValidatingAdmissionPolicy')).toEqual(['1.30', '1.31', '1.32', '1.33', '1.34', '1.35']);
    // Other kinds of the same API version are served throughout.
    expect(served('admissionregistration.k8s.io/v1', 'ValidatingWebhookConfiguration')).toEqual([...KNOWN_KUBERNETES_VERSIONS]);
    expect(served('batch/v1beta1', 'CronJob')).toEqual([]);
    expect(served('apps/v1', 'Deployment')).toEqual([...KNOWN_KUBERNETES_VERSIONS]);
    // A group Manifold knows nothing of (a CRD) is left to the cluster.
    expect(served('example.com/v1', 'Widget')).toEqual([...KNOWN_KUBERNETES_VERSIONS]);
    expect(unservedReason('resource.k8s.io/v1', 'ResourceClaim', '1.33')).toBe(
      'Kubernetes 1.33 does not serve resource.k8s.io/v1 ResourceClaim yet: it is served from 1.34',
    );
  });
});
