/**
 * The Pod Security Standards (Kubernetes 1.28, `pod-security.kubernetes.io` levels) applied to the
 * pod template of every workload: what the admission controller would refuse in a namespace
 * enforcing `baseline` or `restricted`.
 */
import type { PodSecurityLevel } from '../config/environment-schema.ts';
import type { SchemaViolation } from './object-schemas.ts';
import { podSpecOf } from './pod-spec.ts';

/** A Pod Security Standard level. */

type Fields = Record<string, unknown>;

const RESTRICTED_VOLUME_TYPES = new Set(['configMap', 'csi', 'downwardAPI', 'emptyDir', 'ephemeral', 'persistentVolumeClaim', 'projected', 'secret']);
const BASELINE_CAPABILITIES = new Set([
  'AUDIT_WRITE',
  'CHOWN',
  'DAC_OVERRIDE',
  'FOWNER',
  'FSETID',
  'KILL',
  'MKNOD',
  'NET_BIND_SERVICE',
  'SETFCAP',
  'SETGID',
  'SETPCAP',
  'SETUID',
  'SYS_CHROOT',
]);
const SAFE_SYSCTLS = new Set([
  'kernel.shm_rmid_forced',
  'net.ipv4.ip_local_port_range',
  'net.ipv4.ip_unprivileged_port_start',
  'net.ipv4.tcp_syncookies',
  'net.ipv4.ping_group_range',
  'net.ipv4.ip_local_reserved_ports',
]);

/** Every way the pod template of `object` breaks `level` (none for objects without pods). */
export function podSecurityViolations(object: Fields, level: PodSecurityLevel): SchemaViolation[] {
  const pod = podSpecOf(object);
  if (level === 'privileged' || !pod) return [];
  const { path: where, spec } = pod;
  const violations: SchemaViolation[] = [];
  const fail = (field: string, message: string) => violations.push({ path: `${where}.${field}`, message: `${message} (Pod Security Standard "${level}")` });
  for (const host of ['hostNetwork', 'hostPID', 'hostIPC'] as const) if (spec[host] === true) fail(host, `${host} is not allowed`);
  const podSecurity = isFields(spec.securityContext) ? spec.securityContext : {};
  for (const sysctl of asList(podSecurity.sysctls)) {
    if (isFields(sysctl) && !SAFE_SYSCTLS.has(String(sysctl.name))) fail('securityContext.sysctls', `sysctl ${String(sysctl.name)} is not allowed`);
  }
  for (const [index, volume] of asList(spec.volumes).entries()) {
    if (!isFields(volume)) continue;
    if ('hostPath' in volume) fail(`volumes[${index}].hostPath`, 'hostPath volumes are not allowed');
    const type = Object.keys(volume).find((key) => key !== 'name');
    if (level === 'restricted' && type && !RESTRICTED_VOLUME_TYPES.has(type)) fail(`volumes[${index}].${type}`, `${type} volumes are not allowed`);
  }
  const podNonRoot = podSecurity.runAsNonRoot === true;
  const podSeccomp = seccompType(podSecurity);
  if (podSeccomp === 'Unconfined') fail('securityContext.seccompProfile.type', 'an Unconfined seccomp profile is not allowed');
  if (level === 'restricted' && podSecurity.runAsUser === 0) fail('securityContext.runAsUser', 'running as user 0 (root) is not allowed');
  for (const list of ['initContainers', 'containers', 'ephemeralContainers'] as const) {
    for (const [index, container] of asList(spec[list]).entries()) {
      if (!isFields(container)) continue;
      const at = `${list}[${index}].securityContext`;
      const security = isFields(container.securityContext) ? container.securityContext : {};
      if (security.privileged === true) fail(`${at}.privileged`, 'privileged containers are not allowed');
      for (const [portIndex, port] of asList(container.ports).entries()) {
        if (isFields(port) && typeof port.hostPort === 'number' && port.hostPort !== 0)
          fail(`${list}[${index}].ports[${portIndex}].hostPort`, 'host ports are not allowed');
      }
      const capabilities = isFields(security.capabilities) ? security.capabilities : {};
      const added = asList(capabilities.add).map(String);
      const seccomp = seccompType(security);
      if (seccomp === 'Unconfined') fail(`${at}.seccompProfile.type`, 'an Unconfined seccomp profile is not allowed');
      if (level === 'baseline') {
        for (const capability of added) if (!BASELINE_CAPABILITIES.has(capability)) fail(`${at}.capabilities.add`, `capability ${capability} is not allowed`);
        continue;
      }
      if (security.allowPrivilegeEscalation !== false) fail(`${at}.allowPrivilegeEscalation`, 'must be false');
      if (!asList(capabilities.drop).map(String).includes('ALL')) fail(`${at}.capabilities.drop`, 'must drop ALL capabilities');
      for (const capability of added)
        if (capability !== 'NET_BIND_SERVICE') fail(`${at}.capabilities.add`, `only NET_BIND_SERVICE may be added, not ${capability}`);
      if (security.runAsNonRoot !== true && !(podNonRoot && security.runAsNonRoot === undefined))
        fail(`${at}.runAsNonRoot`, 'must be true (here or for the pod)');
      if (security.runAsUser === 0) fail(`${at}.runAsUser`, 'running as user 0 (root) is not allowed');
      if (
        !(seccomp === 'RuntimeDefault' || seccomp === 'Localhost' || (seccomp === undefined && (podSeccomp === 'RuntimeDefault' || podSeccomp === 'Localhost')))
      ) {
        fail(`${at}.seccompProfile.type`, 'must be RuntimeDefault or Localhost (here or for the pod)');
      }
    }
  }
  return violations;
}

function seccompType(security: Fields): string | undefined {
  const profile = security.seccompProfile;
  return isFields(profile) && typeof profile.type === 'string' ? profile.type : undefined;
}

function asList(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

function isFields(value: unknown): value is Fields {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
