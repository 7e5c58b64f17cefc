/**
 * The Pod Security Standards (`pod-security.kubernetes.io`, the policy of the Kubernetes release the
 * environment targets) applied to the pod template of every workload: each control of the baseline
 * and restricted levels, as the admission controller of that release checks it. `POD_SECURITY_CONTROLS`
 * is the table the README lists.
 */
import type { PodSecurityLevel } from '../config/environment-schema.ts';
import type { SchemaViolation } from './object-schemas.ts';
import { podMetadataOf, podSpecOf } from './pod-spec.ts';

type Fields = Record<string, unknown>;

/** One control of the standard: its name, the level that first requires it, and its check. */
export interface PodSecurityControl {
  readonly name: string;
  readonly level: Exclude<PodSecurityLevel, 'privileged'>;
  /** Reports each field of `pod` that breaks the control. */
  readonly check: (pod: PodUnderCheck, fail: (field: string, message: string) => void) => void;
}

/** A pod template as the controls read it. */
export interface PodUnderCheck {
  readonly spec: Fields;
  readonly annotations: Readonly<Record<string, unknown>>;
  /** The release whose policy applies (`1.NN`). */
  readonly version: number;
  /** Windows pods (`spec.os.name: windows`) are exempt from the Linux-only restricted controls. */
  readonly windows: boolean;
}

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
const RESTRICTED_VOLUME_TYPES = new Set(['configMap', 'csi', 'downwardAPI', 'emptyDir', 'ephemeral', 'persistentVolumeClaim', 'projected', 'secret']);
/** Safe sysctls, with the release that first allows each (the policy grew with Kubernetes). */
const SAFE_SYSCTLS: readonly (readonly [string, number])[] = [
  ['kernel.shm_rmid_forced', 0],
  ['net.ipv4.ip_local_port_range', 0],
  ['net.ipv4.ip_unprivileged_port_start', 0],
  ['net.ipv4.tcp_syncookies', 0],
  ['net.ipv4.ping_group_range', 0],
  ['net.ipv4.ip_local_reserved_ports', 27],
  ['net.ipv4.tcp_keepalive_time', 29],
  ['net.ipv4.tcp_fin_timeout', 29],
  ['net.ipv4.tcp_keepalive_intvl', 29],
  ['net.ipv4.tcp_keepalive_probes', 29],
  ['net.ipv4.tcp_rmem', 32],
  ['net.ipv4.tcp_wmem', 32],
];
/** SELinux types a baseline pod may run as, with the release that first allows each. */
const SELINUX_TYPES: readonly (readonly [string, number])[] = [
  ['container_t', 0],
  ['container_init_t', 0],
  ['container_kvm_t', 0],
  ['container_engine_t', 31],
];
const APPARMOR_ANNOTATION = 'container.apparmor.security.beta.kubernetes.io/';
const CONTAINER_LISTS = ['initContainers', 'containers', 'ephemeralContainers'] as const;

/** Every container of the pod with the path of its securityContext. */
function containers(spec: Fields): { readonly at: string; readonly container: Fields; readonly security: Fields }[] {
  return CONTAINER_LISTS.flatMap((list) =>
    asList(spec[list]).flatMap((container, index) =>
      isFields(container) ? [{ at: `${list}[${index}]`, container, security: fields(container.securityContext) }] : [],
    ),
  );
}

/** The securityContexts of the pod and of each container, with their paths. */
function securityContexts(spec: Fields): { readonly at: string; readonly security: Fields }[] {
  return [
    { at: 'securityContext', security: fields(spec.securityContext) },
    ...containers(spec).map(({ at, security }) => ({ at: `${at}.securityContext`, security })),
  ];
}

/** The controls of the Pod Security Standards, baseline first. */
export const POD_SECURITY_CONTROLS: readonly PodSecurityControl[] = [
  {
    name: 'HostProcess',
    level: 'baseline',
    check: ({ spec }, fail) => {
      for (const { at, security } of securityContexts(spec)) {
        if (fields(security.windowsOptions).hostProcess === true) fail(`${at}.windowsOptions.hostProcess`, 'Windows HostProcess containers are not allowed');
      }
    },
  },
  {
    name: 'Host Namespaces',
    level: 'baseline',
    check: ({ spec }, fail) => {
      for (const host of ['hostNetwork', 'hostPID', 'hostIPC'] as const) if (spec[host] === true) fail(host, `${host} is not allowed`);
    },
  },
  {
    name: 'Privileged Containers',
    level: 'baseline',
    check: ({ spec }, fail) => {
      for (const { at, security } of containers(spec))
        if (security.privileged === true) fail(`${at}.securityContext.privileged`, 'privileged containers are not allowed');
    },
  },
  {
    name: 'Capabilities',
    level: 'baseline',
    check: ({ spec }, fail) => {
      for (const { at, security } of containers(spec)) {
        for (const capability of asList(fields(security.capabilities).add).map(String))
          if (!BASELINE_CAPABILITIES.has(capability)) fail(`${at}.securityContext.capabilities.add`, `capability ${capability} is not allowed`);
      }
    },
  },
  {
    name: 'HostPath Volumes',
    level: 'baseline',
    check: ({ spec }, fail) => {
      for (const [index, volume] of asList(spec.volumes).entries())
        if (isFields(volume) && 'hostPath' in volume) fail(`volumes[${index}].hostPath`, 'hostPath volumes are not allowed');
    },
  },
  {
    name: 'Host Ports',
    level: 'baseline',
    check: ({ spec }, fail) => {
      for (const { at, container } of containers(spec)) {
        for (const [index, port] of asList(container.ports).entries())
          if (isFields(port) && port.hostPort !== undefined && port.hostPort !== 0) fail(`${at}.ports[${index}].hostPort`, 'host ports are not allowed');
      }
    },
  },
  {
    name: 'AppArmor',
    level: 'baseline',
    check: ({ spec, annotations }, fail) => {
      for (const { at, security } of securityContexts(spec)) {
        const type = fields(security.appArmorProfile).type;
        if (type !== undefined && type !== 'RuntimeDefault' && type !== 'Localhost')
          fail(`${at}.appArmorProfile.type`, `AppArmor profile ${String(type)} is not allowed`);
      }
      for (const [key, value] of Object.entries(annotations)) {
        if (key.startsWith(APPARMOR_ANNOTATION) && value !== 'runtime/default' && !String(value).startsWith('localhost/'))
          fail(`metadata.annotations["${key}"]`, `AppArmor profile ${String(value)} is not allowed`);
      }
    },
  },
  {
    name: 'SELinux',
    level: 'baseline',
    check: ({ spec, version }, fail) => {
      const types = new Set(SELINUX_TYPES.filter(([, since]) => version >= since).map(([type]) => type));
      for (const { at, security } of securityContexts(spec)) {
        const options = fields(security.seLinuxOptions);
        if (options.type !== undefined && options.type !== '' && !types.has(String(options.type)))
          fail(`${at}.seLinuxOptions.type`, `SELinux type ${String(options.type)} is not allowed`);
        for (const field of ['user', 'role'] as const)
          if (options[field] !== undefined && options[field] !== '') fail(`${at}.seLinuxOptions.${field}`, `a custom SELinux ${field} is not allowed`);
      }
    },
  },
  {
    name: '/proc Mount Type',
    level: 'baseline',
    check: ({ spec }, fail) => {
      for (const { at, security } of containers(spec))
        if (security.procMount !== undefined && security.procMount !== 'Default')
          fail(`${at}.securityContext.procMount`, `procMount ${String(security.procMount)} is not allowed`);
    },
  },
  {
    name: 'Seccomp',
    level: 'baseline',
    check: ({ spec }, fail) => {
      for (const { at, security } of securityContexts(spec))
        if (seccompType(security) === 'Unconfined') fail(`${at}.seccompProfile.type`, 'an Unconfined seccomp profile is not allowed');
    },
  },
  {
    name: 'Sysctls',
    level: 'baseline',
    check: ({ spec, version }, fail) => {
      const safe = new Set(SAFE_SYSCTLS.filter(([, since]) => version >= since).map(([name]) => name));
      for (const sysctl of asList(fields(spec.securityContext).sysctls)) {
        if (isFields(sysctl) && !safe.has(String(sysctl.name))) fail('securityContext.sysctls', `sysctl ${String(sysctl.name)} is not allowed`);
      }
    },
  },
  {
    name: 'Volume Types',
    level: 'restricted',
    check: ({ spec }, fail) => {
      for (const [index, volume] of asList(spec.volumes).entries()) {
        if (!isFields(volume)) continue;
        const type = Object.keys(volume).find((key) => key !== 'name');
        if (type && type !== 'hostPath' && !RESTRICTED_VOLUME_TYPES.has(type)) fail(`volumes[${index}].${type}`, `${type} volumes are not allowed`);
        if (type === 'hostPath') fail(`volumes[${index}].hostPath`, 'hostPath volumes are not allowed');
      }
    },
  },
  {
    name: 'Privilege Escalation',
    level: 'restricted',
    check: ({ spec, windows }, fail) => {
      if (windows) return;
      for (const { at, security } of containers(spec))
        if (security.allowPrivilegeEscalation !== false) fail(`${at}.securityContext.allowPrivilegeEscalation`, 'must be false');
    },
  },
  {
    name: 'Running as Non-root',
    level: 'restricted',
    check: ({ spec }, fail) => {
      const pod = fields(spec.securityContext).runAsNonRoot;
      for (const { at, security } of containers(spec)) {
        if (security.runAsNonRoot === false || (security.runAsNonRoot !== true && pod !== true))
          fail(`${at}.securityContext.runAsNonRoot`, 'must be true (here or for the pod)');
      }
    },
  },
  {
    name: 'Running as Non-root user',
    level: 'restricted',
    check: ({ spec }, fail) => {
      for (const { at, security } of securityContexts(spec)) if (security.runAsUser === 0) fail(`${at}.runAsUser`, 'running as user 0 (root) is not allowed');
    },
  },
  {
    name: 'Seccomp (restricted)',
    level: 'restricted',
    check: ({ spec, windows }, fail) => {
      if (windows) return;
      const pod = seccompType(fields(spec.securityContext));
      const confined = (type: string | undefined) => type === 'RuntimeDefault' || type === 'Localhost';
      for (const { at, security } of containers(spec)) {
        const own = seccompType(security);
        if (!(confined(own) || (own === undefined && confined(pod))))
          fail(`${at}.securityContext.seccompProfile.type`, 'must be RuntimeDefault or Localhost (here or for the pod)');
      }
    },
  },
  {
    name: 'Capabilities (restricted)',
    level: 'restricted',
    check: ({ spec, windows }, fail) => {
      if (windows) return;
      for (const { at, security } of containers(spec)) {
        const capabilities = fields(security.capabilities);
        if (!asList(capabilities.drop).map(String).includes('ALL')) fail(`${at}.securityContext.capabilities.drop`, 'must drop ALL capabilities');
        for (const capability of asList(capabilities.add).map(String))
          if (capability !== 'NET_BIND_SERVICE') fail(`${at}.securityContext.capabilities.add`, `only NET_BIND_SERVICE may be added, not ${capability}`);
      }
    },
  },
];

/**
 * Every way the pod template of `object` breaks `level` under the policy of Kubernetes `version`
 * (`1.NN`; none for objects without pods). A field is reported once, by the first control it breaks.
 */
export function podSecurityViolations(object: Fields, level: PodSecurityLevel, version = '1.28'): SchemaViolation[] {
  const pod = podSpecOf(object);
  if (level === 'privileged' || !pod) return [];
  const { path: where, spec } = pod;
  const metadata = podMetadataOf(object);
  const underCheck: PodUnderCheck = {
    spec,
    annotations: fields(metadata?.fields.annotations),
    version: Number(version.split('.')[1] ?? 0),
    windows: fields(spec.os).name === 'windows',
  };
  const violations: SchemaViolation[] = [];
  const reported = new Set<string>();
  for (const control of POD_SECURITY_CONTROLS) {
    if (control.level === 'restricted' && level === 'baseline') continue;
    control.check(underCheck, (field, message) => {
      const path = field.startsWith('metadata.') ? `${metadata?.path ?? 'metadata'}${field.slice('metadata'.length)}` : `${where}.${field}`;
      if (reported.has(path)) return;
      reported.add(path);
      violations.push({ path, message: `${message} (Pod Security Standard "${level}": ${control.name})` });
    });
  }
  return violations;
}

function seccompType(security: Fields): string | undefined {
  const profile = security.seccompProfile;
  return isFields(profile) && typeof profile.type === 'string' ? profile.type : undefined;
}

function fields(value: unknown): Fields {
  return isFields(value) ? value : {};
}

function asList(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

function isFields(value: unknown): value is Fields {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
