/**
 * A WebService's Deployment, Service and Ingress as the JSON cdk8s-plus renders for them, built
 * directly: the same bytes for a fraction of the work (building and resolving the cdk8s-plus
 * constructs was most of a cold synth). Props outside what this renders (a port that is not a
 * positive number, a security context cdk8s-plus refuses, two writable paths that name one volume)
 * get no plain objects: the construct builds them with cdk8s-plus, as it does when an app reads
 * `.deployment`, `.service` or `.ingress`. The differential test in workloads.test.ts holds the two
 * to the same output.
 */

import { EscSecret } from '../secrets/esc-secret.ts';
import type { PlainApiObjectProps } from './plain-api-object.ts';
import type { WebServiceProps } from './web-service.ts';
import { envText, parseCpu, parseMemory, RESTRICTED, selectorLabels, type WorkloadOptions, workloadSize, writableMounts } from './workload-options.ts';

/** The objects of a WebService, or undefined when its props need cdk8s-plus. */
export interface WebServiceObjects {
  readonly deployment: PlainApiObjectProps;
  readonly service: PlainApiObjectProps;
  readonly ingress?: PlainApiObjectProps;
}

/** The objects `props` make (their metadata without the labels the construct adds), or undefined when cdk8s-plus must build them. */
export function webServiceObjects(props: WebServiceProps, port: number): WebServiceObjects | undefined {
  const { name, host } = props;
  if (typeof name !== 'string' || name === '' || typeof port !== 'number' || !(port > 0)) return undefined;
  if (!optionalText(props.healthPath) || !optionalText(host) || !optionalText(props.ingressClassName) || !optionalText(props.tlsSecretName)) return undefined;
  const mounts = writableMounts(props);
  if (new Set(mounts.map((mount) => mount.name)).size !== mounts.length) return undefined;
  const container = containerJson(props, port, mounts);
  if (!container) return undefined;
  const selector = selectorLabels(name);
  const probe = { failureThreshold: 3, httpGet: { path: props.healthPath ?? '/healthz', port, scheme: 'HTTP' } };
  const deployment = {
    minReadySeconds: 0,
    progressDeadlineSeconds: 600,
    replicas: workloadSize(props).replicas ?? 2,
    selector: { matchLabels: selector },
    strategy: { rollingUpdate: { maxSurge: '25%', maxUnavailable: '25%' }, type: 'RollingUpdate' },
    template: {
      metadata: { labels: selector },
      spec: {
        automountServiceAccountToken: false,
        containers: [{ ...container, livenessProbe: probe, readinessProbe: probe }],
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
  const service = { externalIPs: [], ports: [{ name: 'http', port: 80, targetPort: port }], selector, type: 'ClusterIP' };
  const paths = [{ backend: { service: { name, port: { number: 80 } } }, path: '/', pathType: 'Prefix' }];
  const ingress = host && {
    ingressClassName: props.ingressClassName,
    rules: [{ host, http: { paths } }],
    tls: props.tlsSecretName ? [{ hosts: [host], secretName: props.tlsSecretName }] : undefined,
  };
  return {
    deployment: { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name }, body: { spec: deployment } },
    service: { apiVersion: 'v1', kind: 'Service', metadata: { name }, body: { spec: service } },
    ...(ingress ? { ingress: { apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', metadata: { name }, body: { spec: ingress } } } : {}),
  };
}

/** True for text or nothing: what the plain objects carry as cdk8s-plus would. */
function optionalText(value: unknown): boolean {
  return value === undefined || typeof value === 'string';
}

/** The container of a workload listening on `port`, its probes aside; undefined when cdk8s-plus must build it. */
function containerJson(options: WorkloadOptions, port: number, mounts: readonly { path: string; name: string }[]): Record<string, unknown> | undefined {
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
    imagePullPolicy: 'IfNotPresent',
    ports: [{ containerPort: port }],
    volumeMounts: mounts.length > 0 ? mounts.map((mount) => ({ mountPath: mount.path, name: mount.name })) : undefined,
    command: options.command ? [...options.command] : undefined,
    args: options.args ? [...options.args] : undefined,
    env: env.length > 0 ? env : undefined,
    startupProbe: { failureThreshold: 3, tcpSocket: { port } },
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
