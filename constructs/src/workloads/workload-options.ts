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

/** Every prop of {@link WorkloadOptions}: a construct checks an app's props against its own list (see {@link checkProps}). */
export const WORKLOAD_PROPS = {
  name: true,
  image: true,
  size: true,
  env: true,
  command: true,
  args: true,
  labels: true,
  securityContext: true,
  writablePaths: true,
} as const satisfies Record<keyof WorkloadOptions, true>;

/**
 * Refuses a prop the construct does not take. An app is type-checked by `pnpm typecheck`, but synth
 * runs it as JavaScript: without this, a misspelt prop (`hots:` for `host:`) would vanish silently.
 */
export function checkProps(construct: string, props: object, known: Readonly<Record<string, true>>): void {
  for (const key of Object.keys(props)) {
    if (Object.hasOwn(known, key)) continue;
    const near = Object.keys(known).find((candidate) => editDistance(candidate, key) <= 2);
    const name = (props as { name?: unknown }).name;
    throw new Error(`${construct} "${String(name)}": unknown prop "${key}"${near ? ` (did you mean "${near}"?)` : ''}`);
  }
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, index) => index);
  for (const [i, charA] of [...a].entries()) {
    const current = [i + 1];
    for (const [j, charB] of [...b].entries())
      current.push(Math.min((previous[j + 1] ?? 0) + 1, (current[j] ?? 0) + 1, (previous[j] ?? 0) + (charA === charB ? 0 : 1)));
    previous = current;
  }
  return previous[b.length] ?? 0;
}

/** Container security that meets the Pod Security Standard "restricted" (Kubernetes 1.28). */
export const RESTRICTED: kplus.ContainerSecurityContextProps = {
  ensureNonRoot: true,
  readOnlyRootFilesystem: true,
  allowPrivilegeEscalation: false,
  privileged: false,
  capabilities: { drop: [kplus.Capability.ALL] },
  seccompProfile: { type: kplus.SeccompProfileType.RUNTIME_DEFAULT },
};

/** When a node pulls a workload's image: pinned by digest, once is enough. */
export const IMAGE_PULL_POLICY = kplus.ImagePullPolicy.IF_NOT_PRESENT;

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
    imagePullPolicy: IMAGE_PULL_POLICY,
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

/**
 * Gives each writable path an emptyDir while the root filesystem is read-only (the default). Each
 * must be an absolute, normalized folder other than `/`, named once, and not one of `taken` (the
 * construct's own mounts, e.g. a StatefulService's volume).
 */
export function mountWritablePaths(workload: kplus.AbstractPod, options: WorkloadOptions, taken: readonly string[] = []): void {
  const mounts = writableMounts(options, taken);
  const container = workload.containers[0];
  if (!container) return;
  for (const { path, name } of mounts) container.mount(path, kplus.Volume.fromEmptyDir(workload, `Writable${path}`, name));
}

/** One emptyDir a writable path gets: the path and the volume's name. */
export interface WritableMount {
  readonly path: string;
  readonly name: string;
}

/**
 * The emptyDirs {@link mountWritablePaths} mounts (none when the root filesystem is writable), each
 * path checked as it describes.
 */
export function writableMounts(options: WorkloadOptions, taken: readonly string[] = []): WritableMount[] {
  const paths = options.writablePaths ?? ['/tmp'];
  const seen = new Set(taken);
  for (const path of paths) {
    const problem =
      typeof path !== 'string' || !path.startsWith('/')
        ? 'is not an absolute path'
        : path === '/'
          ? 'is the root folder'
          : /\/\/|\/\.\.?(\/|$)|\/$/.test(path)
            ? 'is not a normalized path (no "//", "." or ".." parts, no trailing "/")'
            : seen.has(path)
              ? taken.includes(path)
                ? 'is already mounted (the data volume)'
                : 'is named twice'
              : undefined;
    if (problem) throw new Error(`workload "${options.name}": writablePaths ${JSON.stringify(path)} ${problem}; give folders such as /tmp or /var/cache/app`);
    seen.add(path);
  }
  if (options.securityContext?.readOnlyRootFilesystem === false) return [];
  return paths.map((path) => ({ path, name: path === '/tmp' ? 'tmp' : `writable${path.replace(/[^a-z0-9]+/g, '-').replace(/-$/, '')}` }));
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
  for (const [key, value] of Object.entries(objectLabels(options))) resource.metadata.addLabel(key, value);
}

/** The labels a workload's objects carry: the app's own and the selector labels. */
export function objectLabels(options: WorkloadOptions): Record<string, string> {
  return { ...options.labels, ...selectorLabels(options.name) };
}

/** A reference to a Secret by name, all an env var's `secretKeyRef` needs. */
function secretNamed(name: string): kplus.ISecret {
  return { name, resourceType: 'secrets', resourceName: name, apiVersion: 'v1', apiGroup: '', kind: 'Secret' } as unknown as kplus.ISecret;
}

/** An env var's value, refusing what TypeScript would have refused had the app been type-checked. */
export function envText(workload: string, key: string, value: unknown): string {
  if (typeof value !== 'string') throw new Error(`workload "${workload}": env ${key} must be a string, not ${JSON.stringify(value)}; quote it`);
  return value;
}

/** A CPU quantity (`250m`, `0.5`, `2`) in millicores, as cdk8s-plus takes it. */
export function parseCpu(quantity: string): kplus.Cpu {
  const millis = /^([0-9]+)m$/.exec(quantity);
  if (millis) return kplus.Cpu.millis(Number(millis[1]));
  const cores = Number(quantity);
  if (!Number.isFinite(cores) || cores <= 0) throw new Error(`invalid CPU quantity "${quantity}"`);
  return kplus.Cpu.millis(Math.round(cores * 1000));
}

/** A memory quantity (`512Mi`, `2Gi`) as a cdk8s size. */
export function parseMemory(quantity: string): Size {
  const match = /^([0-9]+)(Mi|Gi)$/.exec(quantity);
  if (!match) throw new Error(`invalid memory quantity "${quantity}" (use Mi or Gi)`);
  const amount = Number(match[1]);
  return match[2] === 'Gi' ? Size.gibibytes(amount) : Size.mebibytes(amount);
}
