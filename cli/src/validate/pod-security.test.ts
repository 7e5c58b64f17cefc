import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { exampleRepository } from '../testing/example-repository.ts';
import { podSecurityViolations } from './pod-security.ts';

type Fields = Record<string, unknown>;

function deployment(container: Fields, pod: Fields = {}): Fields {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'w' },
    spec: { template: { spec: { containers: [{ name: 'c', image: 'x:1', ...container }], ...pod } } },
  };
}

const RESTRICTED_CONTAINER = {
  securityContext: {
    allowPrivilegeEscalation: false,
    capabilities: { drop: ['ALL'] },
    runAsNonRoot: true,
    seccompProfile: { type: 'RuntimeDefault' },
  },
};

describe('podSecurityViolations', () => {
  it('accepts a container that meets "restricted"', () => {
    expect(podSecurityViolations(deployment(RESTRICTED_CONTAINER), 'restricted')).toEqual([]);
  });

  it('names each field that breaks "restricted"', () => {
    const paths = (container: Fields, pod: Fields = {}) => podSecurityViolations(deployment(container, pod), 'restricted').map((violation) => violation.path);
    const base = 'spec.template.spec.containers[0].securityContext';
    expect(paths({})).toEqual([`${base}.allowPrivilegeEscalation`, `${base}.capabilities.drop`, `${base}.runAsNonRoot`, `${base}.seccompProfile.type`]);
    expect(paths({ securityContext: { ...RESTRICTED_CONTAINER.securityContext, capabilities: { drop: ['ALL'], add: ['SYS_ADMIN'] } } })).toEqual([
      `${base}.capabilities.add`,
    ]);
    expect(
      paths(
        { securityContext: { ...RESTRICTED_CONTAINER.securityContext, runAsNonRoot: undefined, seccompProfile: undefined } },
        {
          securityContext: { runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } },
        },
      ),
    ).toEqual([]);
    expect(paths(RESTRICTED_CONTAINER, { hostNetwork: true, volumes: [{ name: 'h', hostPath: { path: '/' } }] })).toEqual([
      'spec.template.spec.hostNetwork',
      'spec.template.spec.volumes[0].hostPath',
      'spec.template.spec.volumes[0].hostPath',
    ]);
  });

  it('lets "baseline" through what only "restricted" forbids, but never a privileged container', () => {
    expect(podSecurityViolations(deployment({}), 'baseline')).toEqual([]);
    expect(podSecurityViolations(deployment({ securityContext: { privileged: true } }), 'baseline').map((violation) => violation.path)).toEqual([
      'spec.template.spec.containers[0].securityContext.privileged',
    ]);
    expect(podSecurityViolations(deployment({ securityContext: { privileged: true } }), 'privileged')).toEqual([]);
  });

  it('finds the pod of a CronJob', () => {
    const cronJob = { kind: 'CronJob', spec: { jobTemplate: { spec: { template: { spec: { containers: [{ name: 'c' }] } } } } } };
    expect(podSecurityViolations(cronJob, 'restricted')[0]?.path).toBe(
      'spec.jobTemplate.spec.template.spec.containers[0].securityContext.allowPrivilegeEscalation',
    );
  });

  it('finds every workload of the example environments "restricted"', async () => {
    const files = (await readdir(join(exampleRepository(), 'dist'), { recursive: true })).filter((file) => file.endsWith('.yaml'));
    const workloads = [];
    for (const file of files) {
      const object = parse(await readFile(join(exampleRepository(), 'dist', file), 'utf8')) as Fields;
      if (['Deployment', 'StatefulSet', 'CronJob'].includes(String(object.kind))) workloads.push(file);
      expect(podSecurityViolations(object, 'restricted'), file).toEqual([]);
    }
    expect(workloads.length).toBeGreaterThan(10);
  });
});
