/** Props every Manifold workload shares, and how they become cdk8s-plus container settings. */
import { ApiObject, JsonPatch, Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import type { WorkloadSize } from '../app.ts';
import type { ImageRef } from '../images/image-ref.ts';
import { EscSecret } from '../secrets/esc-secret.ts';

/** Props shared by all workloads. */
export interface WorkloadOptions {
  /** Name of the workload and of its objects; stable across refactors. DNS-1123 label. */
  readonly name: string;
  /** The pinned image to run. */
  readonly image: ImageRef;
  /** Replicas and resources, usually `env.size('<class>')`. @default 1 replica, 100m CPU, 128Mi */
  readonly size?: WorkloadSize;
  /** Environment variables of the container: text, or `env.secret(...)` for a value from Pulumi ESC. @default none */
  readonly env?: Readonly<Record<string, string | EscSecret>>;
  /** Entrypoint override. @default the image's entrypoint */
  readonly command?: readonly string[];
  /** Arguments to the entrypoint. @default the image's cmd */
  readonly args?: readonly string[];
  /** Extra labels on the objects and pods (never used in selectors). @default none */
  readonly labels?: Readonly<Record<string, string>>;
  /**
   * Container security settings, merged over the defaults, which meet the Pod Security Standard
   * "restricted": non-root, read-only root filesystem, no privilege escalation, every capability
   * dropped, the runtime's default seccomp profile. Opt out per setting, e.g. `{ readOnlyRootFilesystem: false }`.
   */
  readonly securityContext?: kplus.ContainerSecurityContextProps;
  /** Paths the container writes to while its root filesystem is read-only; each gets an emptyDir. @default ['/tmp'] */
  readonly writablePaths?: readonly string[];
}

/** Container security that meets the Pod Security Standard "restricted" (Kubernetes 1.28). */
const RESTRICTED: kplus.ContainerSecurityContextProps = {
  ensureNonRoot: true,
  readOnlyRootFilesystem: true,
  allowPrivilegeEscalation: false,
  privileged: false,
  capabilities: { drop: [kplus.Capability.ALL] },
  seccompProfile: { type: kplus.SeccompProfileType.RUNTIME_DEFAULT },
};

const DEFAULT_SIZE: WorkloadSize = { replicas: 1, cpu: '100m', memory: '128Mi' };
/** The cdk8s-plus construct-path label, escaped for a JSON pointer. */
export const ADDRESS_LABEL_POINTER = kplus.Pod.ADDRESS_LABEL.replace('/', '~1');

/** The labels that select a workload's pods: stable, derived from the workload name only. */
export function selectorLabels(name: string): Record<string, string> {
  return { 'app.kubernetes.io/name': name };
}

/** The size to use when none is given. */
export function workloadSize(options: WorkloadOptions): WorkloadSize {
  return options.size ?? DEFAULT_SIZE;
}

/** Container props from the shared workload options. */
export function containerProps(options: WorkloadOptions, extra: Partial<kplus.ContainerProps> = {}): kplus.ContainerProps {
  const size = workloadSize(options);
  const memory = parseMemory(size.memory);
  const cpuLimit = size.cpuLimit === undefined ? {} : { limit: parseCpu(size.cpuLimit) };
  return {
    name: options.name,
    image: options.image.value,
    imagePullPolicy: kplus.ImagePullPolicy.IF_NOT_PRESENT,
    command: options.command ? [...options.command] : undefined,
    args: options.args ? [...options.args] : undefined,
    envVariables: Object.fromEntries(
      Object.entries(options.env ?? {}).map(([key, value]) => [
        key,
        EscSecret.isEscSecret(value)
          ? kplus.EnvValue.fromSecretValue({ secret: secretNamed(value.secretName), key: value.key })
          : kplus.EnvValue.fromValue(envText(options.name, key, value)),
      ]),
    ),
    resources: {
      cpu: { request: parseCpu(size.cpu), ...cpuLimit },
      memory: { request: memory, limit: memory },
    },
    securityContext: { ...RESTRICTED, ...options.securityContext },
    ...extra,
  };
}

/** Gives each writable path an emptyDir while the root filesystem is read-only (the default). */
export function mountWritablePaths(workload: kplus.AbstractPod, options: WorkloadOptions): void {
  if (options.securityContext?.readOnlyRootFilesystem === false) return;
  const container = workload.containers[0];
  if (!container) return;
  for (const path of options.writablePaths ?? ['/tmp']) {
    const name = path === '/tmp' ? 'tmp' : `writable${path.replace(/[^a-z0-9]+/g, '-').replace(/-$/, '')}`;
    container.mount(path, kplus.Volume.fromEmptyDir(workload, `Writable${path}`, name));
  }
}

/**
 * Makes a workload select its pods by {@link selectorLabels} only, and drops the construct-path
 * label cdk8s-plus adds, so that renaming or moving a construct never changes a selector.
 */
export function useStableSelector(workload: kplus.Workload, name: string): void {
  const labels = selectorLabels(name);
  workload.select(kplus.LabelSelector.of({ labels }));
  for (const [key, value] of Object.entries(labels)) workload.podMetadata.addLabel(key, value);
  ApiObject.of(workload).addJsonPatch(JsonPatch.remove(`/spec/template/metadata/labels/${ADDRESS_LABEL_POINTER}`));
}

/** Adds the shared labels to an object's metadata. */
export function addLabels(resource: kplus.Resource, options: WorkloadOptions): void {
  const labels = { ...options.labels, ...selectorLabels(options.name) };
  for (const [key, value] of Object.entries(labels)) resource.metadata.addLabel(key, value);
}

/** A reference to a Secret by name, all an env var's `secretKeyRef` needs. */
function secretNamed(name: string): kplus.ISecret {
  return { name, resourceType: 'secrets', resourceName: name, apiVersion: 'v1', apiGroup: '', kind: 'Secret' } as unknown as kplus.ISecret;
}

/** An env var's value, refusing what TypeScript would have refused had the app been type-checked. */
function envText(workload: string, key: string, value: unknown): string {
  if (typeof value !== 'string') throw new Error(`workload "${workload}": env ${key} must be a string, not ${JSON.stringify(value)}; quote it`);
  return value;
}

function parseCpu(quantity: string): kplus.Cpu {
  const millis = /^([0-9]+)m$/.exec(quantity);
  if (millis) return kplus.Cpu.millis(Number(millis[1]));
  const cores = Number(quantity);
  if (!Number.isFinite(cores) || cores <= 0) throw new Error(`invalid CPU quantity "${quantity}"`);
  return kplus.Cpu.millis(Math.round(cores * 1000));
}

function parseMemory(quantity: string): Size {
  const match = /^([0-9]+)(Mi|Gi)$/.exec(quantity);
  if (!match) throw new Error(`invalid memory quantity "${quantity}" (use Mi or Gi)`);
  const amount = Number(match[1]);
  return match[2] === 'Gi' ? Size.gibibytes(amount) : Size.mebibytes(amount);
}
