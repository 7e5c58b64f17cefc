/** An HTTP service: Deployment, Service and, optionally, an Ingress. */

import * as kplus from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import {
  addLabels,
  checkProps,
  containerProps,
  mountWritablePaths,
  selectorLabels,
  useStableSelector,
  WORKLOAD_PROPS,
  type WorkloadOptions,
  workloadSize,
} from './workload-options.ts';

/** Props of {@link WebService}. */
export interface WebServiceProps extends WorkloadOptions {
  /** Port the container listens on. @default 8080 */
  readonly port?: number;
  /** Path answering 200 when the process is ready. @default /healthz */
  readonly healthPath?: string;
  /** Public host name; adds an Ingress routing it to the Service. @default no Ingress */
  readonly host?: string;
  /** IngressClass of the Ingress. @default the cluster default */
  readonly ingressClassName?: string;
  /** Name of the TLS secret for `host`. @default no TLS */
  readonly tlsSecretName?: string;
}

const WEB_SERVICE_PROPS = {
  ...WORKLOAD_PROPS,
  port: true,
  healthPath: true,
  host: true,
  ingressClassName: true,
  tlsSecretName: true,
} as const satisfies Record<keyof WebServiceProps, true>;

/** A Deployment behind a ClusterIP Service on port 80, optionally published by an Ingress. */
export class WebService extends Construct {
  /** The Deployment running the pods. */
  readonly deployment: kplus.Deployment;
  /** The Service in front of the pods (port 80). */
  readonly service: kplus.Service;
  /** The Ingress, when a host was given. */
  readonly ingress?: kplus.Ingress;
  /** Port the container listens on. */
  readonly port: number;

  constructor(scope: Construct, id: string, props: WebServiceProps) {
    super(scope, id);
    checkProps('WebService', props, WEB_SERVICE_PROPS);
    this.port = props.port ?? 8080;
    const probe = kplus.Probe.fromHttpGet(props.healthPath ?? '/healthz', { port: this.port });
    this.deployment = new kplus.Deployment(this, 'Deployment', {
      metadata: { name: props.name },
      replicas: workloadSize(props).replicas,
      select: false,
      automountServiceAccountToken: false,
      containers: [containerProps(props, { portNumber: this.port, readiness: probe, liveness: probe })],
    });
    useStableSelector(this.deployment, props.name);
    addLabels(this.deployment, props);
    mountWritablePaths(this.deployment, props);

    this.service = new kplus.Service(this, 'Service', {
      metadata: { name: props.name },
      ports: [{ name: 'http', port: 80, targetPort: this.port }],
    });
    for (const [key, value] of Object.entries(selectorLabels(props.name))) this.service.selectLabel(key, value);
    addLabels(this.service, props);

    if (props.host) {
      this.ingress = new kplus.Ingress(this, 'Ingress', {
        metadata: { name: props.name },
        className: props.ingressClassName,
        rules: [{ host: props.host, path: '/', pathType: kplus.HttpIngressPathType.PREFIX, backend: kplus.IngressBackend.fromService(this.service) }],
        tls: props.tlsSecretName ? [{ hosts: [props.host], secret: kplus.Secret.fromSecretName(this, 'Tls', props.tlsSecretName) }] : undefined,
      });
      addLabels(this.ingress, props);
    }
  }
}
