/** An HTTP service: Deployment, Service and, optionally, an Ingress. */

import * as kplus from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { addPlainObjects, webServiceObjects } from './workload-objects.ts';
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

/** The Service's port: what the Ingress and other pods reach the workload on. */
const SERVICE_PORT = { name: 'http', port: 80 } as const;

/** The path the probes ask when the app names none. */
const DEFAULT_HEALTH_PATH = '/healthz';

/**
 * A Deployment behind a ClusterIP Service on port 80, optionally published by an Ingress. Reading
 * `.deployment`, `.service` or `.ingress` gives their cdk8s-plus constructs, to change as cdk8s-plus
 * allows.
 */
// Until an app reads them, the objects are plain JSON (workload-objects.ts): the same output, built faster.
export class WebService extends Construct {
  /** Port the container listens on. */
  readonly port: number;
  private readonly props: WebServiceProps;
  private built?: { deployment: kplus.Deployment; service: kplus.Service; ingress?: kplus.Ingress };

  constructor(scope: Construct, id: string, props: WebServiceProps) {
    super(scope, id);
    checkProps('WebService', props, WEB_SERVICE_PROPS);
    this.props = props;
    this.port = props.port ?? 8080;
    const plain = webServiceObjects(props, { port: this.port, healthPath: props.healthPath ?? DEFAULT_HEALTH_PATH, service: SERVICE_PORT });
    if (!plain) {
      this.built = this.build();
      return;
    }
    addPlainObjects(this, { Deployment: plain.deployment, Service: plain.service, Ingress: plain.ingress }, props);
  }

  /** The Deployment running the pods. */
  get deployment(): kplus.Deployment {
    return this.constructs().deployment;
  }

  /** The Service in front of the pods (port 80). */
  get service(): kplus.Service {
    return this.constructs().service;
  }

  /** The Ingress, when a host was given. */
  get ingress(): kplus.Ingress | undefined {
    return this.constructs().ingress;
  }

  /** The cdk8s-plus constructs, built in place of the plain objects when first asked for. */
  private constructs() {
    if (!this.built) {
      for (const id of ['Deployment', 'Service', 'Ingress']) this.node.tryRemoveChild(id);
      this.built = this.build();
    }
    return this.built;
  }

  private build() {
    const { props, port } = this;
    const probe = kplus.Probe.fromHttpGet(props.healthPath ?? DEFAULT_HEALTH_PATH, { port });
    const deployment = new kplus.Deployment(this, 'Deployment', {
      metadata: { name: props.name },
      replicas: workloadSize(props).replicas,
      select: false,
      automountServiceAccountToken: false,
      containers: [containerProps(props, { portNumber: port, readiness: probe, liveness: probe })],
    });
    useStableSelector(deployment, props.name);
    addLabels(deployment, props);
    mountWritablePaths(deployment, props);

    const service = new kplus.Service(this, 'Service', {
      metadata: { name: props.name },
      ports: [{ ...SERVICE_PORT, targetPort: port }],
    });
    for (const [key, value] of Object.entries(selectorLabels(props.name))) service.selectLabel(key, value);
    addLabels(service, props);

    if (!props.host) return { deployment, service };
    const ingress = new kplus.Ingress(this, 'Ingress', {
      metadata: { name: props.name },
      className: props.ingressClassName,
      rules: [{ host: props.host, path: '/', pathType: kplus.HttpIngressPathType.PREFIX, backend: kplus.IngressBackend.fromService(service) }],
      tls: props.tlsSecretName ? [{ hosts: [props.host], secret: kplus.Secret.fromSecretName(this, 'Tls', props.tlsSecretName) }] : undefined,
    });
    addLabels(ingress, props);
    return { deployment, service, ingress };
  }
}
