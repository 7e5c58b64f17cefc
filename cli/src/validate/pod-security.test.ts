import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { exampleRepository } from '../testing/example-repository.ts';
import { POD_SECURITY_CONTROLS, podSecurityViolations } from './pod-security.ts';

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
    expect(paths({})).toEqual([`${base}.allowPrivilegeEscalation`, `${base}.runAsNonRoot`, `${base}.seccompProfile.type`, `${base}.capabilities.drop`]);
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
    ]);
  });

  it('lets "baseline" through what only "restricted" forbids, but never a privileged container', () => {
    expect(podSecurityViolations(deployment({}), 'baseline')).toEqual([]);
    expect(podSecurityViolations(deployment({ securityContext: { privileged: true } }), 'baseline').map((violation) => violation.path)).toEqual([
      'spec.template.spec.containers[0].securityContext.privileged',
    ]);
    expect(podSecurityViolations(deployment({ securityContext: { privileged: true } }), 'privileged')).toEqual([]);
  });

  /** One pod per control that breaks it and no other, with the path reported and the release whose policy applies. */
  const SECURE = RESTRICTED_CONTAINER.securityContext;
  const pod = 'spec.template.spec';
  const controlCases: [string, Fields, Fields, string, string?][] = [
    [
      'HostProcess',
      { securityContext: { ...SECURE, windowsOptions: { hostProcess: true } } },
      {},
      `${pod}.containers[0].securityContext.windowsOptions.hostProcess`,
    ],
    ['Host Namespaces', RESTRICTED_CONTAINER, { hostPID: true }, `${pod}.hostPID`],
    ['Privileged Containers', { securityContext: { ...SECURE, privileged: true } }, {}, `${pod}.containers[0].securityContext.privileged`],
    [
      'Capabilities',
      { securityContext: { ...SECURE, capabilities: { drop: ['ALL'], add: ['SYS_ADMIN'] } } },
      {},
      `${pod}.containers[0].securityContext.capabilities.add`,
    ],
    ['HostPath Volumes', RESTRICTED_CONTAINER, { volumes: [{ name: 'h', hostPath: { path: '/' } }] }, `${pod}.volumes[0].hostPath`],
    ['Host Ports', { ...RESTRICTED_CONTAINER, ports: [{ containerPort: 80, hostPort: 8080 }] }, {}, `${pod}.containers[0].ports[0].hostPort`],
    ['AppArmor', { securityContext: { ...SECURE, appArmorProfile: { type: 'Unconfined' } } }, {}, `${pod}.containers[0].securityContext.appArmorProfile.type`],
    ['SELinux', RESTRICTED_CONTAINER, { securityContext: { seLinuxOptions: { type: 'spc_t' } } }, `${pod}.securityContext.seLinuxOptions.type`],
    ['/proc Mount Type', { securityContext: { ...SECURE, procMount: 'Unmasked' } }, {}, `${pod}.containers[0].securityContext.procMount`],
    ['Seccomp', { securityContext: { ...SECURE, seccompProfile: { type: 'Unconfined' } } }, {}, `${pod}.containers[0].securityContext.seccompProfile.type`],
    ['Sysctls', RESTRICTED_CONTAINER, { securityContext: { sysctls: [{ name: 'kernel.msgmax', value: '1' }] } }, `${pod}.securityContext.sysctls`],
    ['Volume Types', RESTRICTED_CONTAINER, { volumes: [{ name: 'n', nfs: { server: 'x', path: '/' } }] }, `${pod}.volumes[0].nfs`],
    [
      'Privilege Escalation',
      { securityContext: { ...SECURE, allowPrivilegeEscalation: true } },
      {},
      `${pod}.containers[0].securityContext.allowPrivilegeEscalation`,
    ],
    ['Running as Non-root', { securityContext: { ...SECURE, runAsNonRoot: false } }, {}, `${pod}.containers[0].securityContext.runAsNonRoot`],
    ['Running as Non-root user', { securityContext: { ...SECURE, runAsUser: 0 } }, {}, `${pod}.containers[0].securityContext.runAsUser`],
    ['Seccomp (restricted)', { securityContext: { ...SECURE, seccompProfile: undefined } }, {}, `${pod}.containers[0].securityContext.seccompProfile.type`],
    [
      'Capabilities (restricted)',
      { securityContext: { ...SECURE, capabilities: { drop: ['ALL'], add: ['CHOWN'] } } },
      {},
      `${pod}.containers[0].securityContext.capabilities.add`,
    ],
  ];

  it('has a case below for every control of the standard', () => {
    expect(controlCases.map(([name]) => name)).toEqual(POD_SECURITY_CONTROLS.map((control) => control.name));
  });

  it.each(controlCases)('refuses what breaks "%s", and only that', (name, container, podFields, path) => {
    const level = POD_SECURITY_CONTROLS.find((control) => control.name === name)?.level ?? 'restricted';
    const violations = podSecurityViolations(deployment(container, podFields), 'restricted');
    expect(violations).toEqual([{ path, message: expect.stringContaining(`(Pod Security Standard "restricted": ${name})`) }]);
    // A baseline control binds baseline namespaces too; a restricted one does not.
    expect(podSecurityViolations(deployment(container, podFields), 'baseline').length).toBe(level === 'baseline' ? 1 : 0);
  });

  it('reads the AppArmor annotation, the SELinux user and role, and the release each allowance came with', () => {
    const annotated = deployment(RESTRICTED_CONTAINER);
    (annotated.spec as { template: Fields }).template.metadata = { annotations: { 'container.apparmor.security.beta.kubernetes.io/c': 'unconfined' } };
    expect(podSecurityViolations(annotated, 'baseline').map((violation) => violation.path)).toEqual([
      'spec.template.metadata.annotations["container.apparmor.security.beta.kubernetes.io/c"]',
    ]);
    const withUser = deployment({ securityContext: { ...SECURE, seLinuxOptions: { user: 'system_u', role: 'system_r' } } });
    expect(podSecurityViolations(withUser, 'baseline').map((violation) => violation.path)).toEqual([
      `${pod}.containers[0].securityContext.seLinuxOptions.user`,
      `${pod}.containers[0].securityContext.seLinuxOptions.role`,
    ]);
    const keepalive = deployment(RESTRICTED_CONTAINER, { securityContext: { sysctls: [{ name: 'net.ipv4.tcp_keepalive_time', value: '60' }] } });
    expect(podSecurityViolations(keepalive, 'baseline', '1.28')).toHaveLength(1);
    expect(podSecurityViolations(keepalive, 'baseline', '1.29')).toEqual([]);
    const engine = deployment(RESTRICTED_CONTAINER, { securityContext: { seLinuxOptions: { type: 'container_engine_t' } } });
    expect(podSecurityViolations(engine, 'baseline', '1.30')).toHaveLength(1);
    expect(podSecurityViolations(engine, 'baseline', '1.31')).toEqual([]);
  });

  it('exempts Windows pods from the Linux-only restricted controls', () => {
    const windows = deployment({ securityContext: { runAsNonRoot: true } }, { os: { name: 'windows' } });
    expect(podSecurityViolations(windows, 'restricted')).toEqual([]);
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
