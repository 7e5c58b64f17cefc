/**
 * The objects of the common workloads (a WebService's Deployment, Service and Ingress; a Worker's
 * Deployment) as the JSON cdk8s-plus renders for them, built directly: the same bytes for a fraction
 * of the work (building and resolving the cdk8s-plus constructs was most of a cold synth). Props
 * outside what this renders (a port that is not a positive number, a security context cdk8s-plus
 * refuses, two writable paths that name one volume) get no plain objects: the construct builds them
 * with cdk8s-plus, as it does when an app reads `.deployment`, `.service` or `.ingress`. The
 * differential test in workload-objects.test.ts holds the two to the same output.
 */
import { Construct } from 'constructs';
import { EscSecret } from '../secrets/esc-secret.ts';
import { PlainApiObject, type PlainApiObjectProps } from './plain-api-object.ts';
import type { WebServiceProps } from './web-service.ts';
import {
  envText,
  IMAGE_PULL_POLICY,
  objectLabels,
  parseCpu,
  parseMemory,
  RESTRICTED,
  selectorLabels,
  type WorkloadOptions,
  type WritableMount,
  workloadSize,
  writableMounts,
} from './workload-options.ts';

/**
 * Adds each of `objects` under `scope` where the cdk8s-plus construct of that id puts its API object
 * (`<id>/Resource`, so construct paths in messages are the same), with the workload's labels.
 */
export function addPlainObjects(scope: Construct, objects: Readonly<Record<string, PlainApiObjectProps | undefined>>, options: WorkloadOptions): void {
  const labels = Object.entries(objectLabels(options));
  for (const [id, object] of Object.entries(objects)) {
    if (!object) continue;
    const resource = new PlainApiObject(new Construct(scope, id), 'Resource', object);
    for (const [label, value] of labels) resource.metadata.addLabel(label, value);
  }
}

/** A WebService's objects. */
export interface WebServiceObjects {
  readonly deployment: PlainApiObjectProps;
  readonly service: PlainApiObjectProps;
  readonly ingress?: PlainApiObjectProps;
}

/** What a WebService decided besides its props: the container's port, the probes' path, and the Service's port and its name. */
export interface WebServiceSettings {
  readonly port: number;
  readonly healthPath: string;
  readonly service: { readonly name: string; readonly port: number };
}

/** The objects `props` make (their metadata without the labels the construct adds), or undefined when cdk8s-plus must build them. */
export function webServiceObjects(props: WebServiceProps, { port, healthPath, service: servicePort }: WebServiceSettings): WebServiceObjects | undefined {
  const { name, host } = props;
  if (typeof port !== 'number' || !(port > 0)) return undefined;
  if (!optionalText(healthPath) || !optionalText(host) || !optionalText(props.ingressClassName) || !optionalText(props.tlsSecretName)) return undefined;
  const probe = { failureThreshold: 3, httpGet: { path: healthPath, port, scheme: 'HTTP' } };
  const deployment = deploymentObject(props, { port, probe });
  if (!deployment) return undefined;
  const service = { externalIPs: [], ports: [{ ...servicePort, targetPort: port }], selector: selectorLabels(name), type: 'ClusterIP' };
  const paths = [{ backend: { service: { name, port: { number: servicePort.port } } }, path: '/', pathType: 'Prefix' }];
  const ingress = host && {
    ingressClassName: props.ingressClassName,
    rules: [{ host, http: { paths } }],
    tls: props.tlsSecretName ? [{ hosts: [host], secretName: props.tlsSecretName }] : undefined,
  };
  return {
    deployment,
    service: { apiVersion: 'v1', kind: 'Service', metadata: { name }, body: { spec: service } },
    ...(ingress ? { ingress: { apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', metadata: { name }, body: { spec: ingress } } } : {}),
  };
}

/** A Worker's Deployment, or undefined when cdk8s-plus must build it. */
export function workerObjects(props: WorkloadOptions): { readonly deployment: PlainApiObjectProps } | undefined {
  const deployment = deploymentObject(props);
  return deployment && { deployment };
}

/** What a container that takes traffic adds: the port it listens on and the probe that checks it is live and ready. */
interface Listening {
  readonly port: number;
  readonly probe: object;
}

/** The Deployment of a workload (listening on a port or not), or undefined when cdk8s-plus must build it. */
function deploymentObject(options: WorkloadOptions, listening?: Listening): PlainApiObjectProps | undefined {
  const { name } = options;
  if (typeof name !== 'string' || name === '') return undefined;
  const mounts = writableMounts(options);
  if (new Set(mounts.map((mount) => mount.name)).size !== mounts.length) return undefined;
  const container = containerJson(options, mounts, listening);
  if (!container) return undefined;
  const selector = selectorLabels(name);
  const spec = {
    minReadySeconds: 0,
    progressDeadlineSeconds: 600,
    replicas: workloadSize(options).replicas ?? 2,
    selector: { matchLabels: selector },
    strategy: { rollingUpdate: { maxSurge: '25%', maxUnavailable: '25%' }, type: 'RollingUpdate' },
    template: {
      metadata: { labels: selector },
      spec: {
        automountServiceAccountToken: false,
        containers: [container],
        dnsPolicy: 'ClusterFirst',
        hostNetwork: false,
        restartPolicy: 'Always',
        securityContext: { fsGroupChangePolicy: 'Always', runAsNonRoot: true },
        setHostnameAsFQDN: false,
        terminationGracePeriodSeconds: 30,
        volumes: mounts.length > 0 ? mounts.map((mount) => ({ emptyDir: {}, name: mount.name })) : undefined,
      },
    },
  };
  return { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name }, body: { spec } };
}

/** True for text or nothing: what the plain objects carry as cdk8s-plus would. */
function optionalText(value: unknown): boolean {
  return value === undefined || typeof value === 'string';
}

/** The container of a workload; undefined when cdk8s-plus must build it. */
function containerJson(options: WorkloadOptions, mounts: readonly WritableMount[], listening?: Listening): Record<string, unknown> | undefined {
  const security = securityJson({ ...RESTRICTED, ...options.securityContext });
  if (!security) return undefined;
  const size = workloadSize(options);
  const memory = `${parseMemory(size.memory).toMebibytes()}Mi`;
  const cpu = parseCpu(size.cpu).amount;
  const cpuLimit = size.cpuLimit === undefined ? undefined : parseCpu(size.cpuLimit).amount;
  const env = Object.entries(options.env ?? {}).map(([key, value]) =>
    EscSecret.isEscSecret(value)
      ? { name: key, valueFrom: { secretKeyRef: { key: value.key, name: value.secretName } } }
      : { name: key, value: envText(options.name, key, value) },
  );
  return {
    name: options.name,
    image: options.image.value,
    imagePullPolicy: IMAGE_PULL_POLICY,
    ports: listening && [{ containerPort: listening.port }],
    volumeMounts: mounts.length > 0 ? mounts.map((mount) => ({ mountPath: mount.path, name: mount.name })) : undefined,
    command: options.command ? [...options.command] : undefined,
    args: options.args ? [...options.args] : undefined,
    env: env.length > 0 ? env : undefined,
    livenessProbe: listening?.probe,
    readinessProbe: listening?.probe,
    startupProbe: listening && { failureThreshold: 3, tcpSocket: { port: listening.port } },
    resources: { limits: { cpu: cpuLimit, memory }, requests: { cpu, memory } },
    securityContext: security,
  };
}

type SecurityProps = NonNullable<WorkloadOptions['securityContext']>;

/** A container's security context as cdk8s-plus renders it; undefined for settings it refuses or cannot render. */
function securityJson(security: SecurityProps): Record<string, unknown> | undefined {
  const { capabilities, seccompProfile } = security;
  if (!optionalRecord(capabilities) || !optionalRecord(seccompProfile)) return undefined;
  if (seccompProfile?.localhostProfile && seccompProfile.type !== 'Localhost') return undefined;
  if (!optionalList(capabilities?.add) || !optionalList(capabilities?.drop)) return undefined;
  return {
    runAsGroup: security.group,
    runAsUser: security.user,
    runAsNonRoot: security.ensureNonRoot ?? true,
    privileged: security.privileged ?? false,
    readOnlyRootFilesystem: security.readOnlyRootFilesystem ?? true,
    allowPrivilegeEscalation: security.allowPrivilegeEscalation ?? false,
    capabilities: capabilities && { add: capabilities.add?.map((item) => item), drop: capabilities.drop?.map((item) => item) },
    seccompProfile: seccompProfile && { localhostProfile: seccompProfile.localhostProfile, type: seccompProfile.type },
  };
}

function optionalRecord(value: unknown): boolean {
  return value === undefined || (typeof value === 'object' && value !== null && !Array.isArray(value));
}

function optionalList(value: unknown): boolean {
  return value === undefined || Array.isArray(value);
}
