/** A long-running background process: a Deployment without a Service. */

import * as kplus from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { addPlainObjects, workerObjects } from './workload-objects.ts';
import {
  addLabels,
  checkProps,
  containerProps,
  mountWritablePaths,
  useStableSelector,
  WORKLOAD_PROPS,
  type WorkloadOptions,
  workloadSize,
} from './workload-options.ts';

/** Props of {@link Worker}. */
export interface WorkerProps extends WorkloadOptions {}

const WORKER_PROPS = { ...WORKLOAD_PROPS } as const satisfies Record<keyof WorkerProps, true>;

/**
 * A Deployment of queue consumers or other processes that take no traffic. Reading `.deployment`
 * gives its cdk8s-plus construct, to change as cdk8s-plus allows.
 */
// Until an app reads it, the Deployment is plain JSON (workload-objects.ts): the same output, built faster.
export class Worker extends Construct {
  private readonly props: WorkerProps;
  private built?: kplus.Deployment;

  constructor(scope: Construct, id: string, props: WorkerProps) {
    super(scope, id);
    checkProps('Worker', props, WORKER_PROPS);
    this.props = props;
    const plain = workerObjects(props);
    if (plain) addPlainObjects(this, { Deployment: plain.deployment }, props);
    else this.built = this.build();
  }

  /** The Deployment running the pods (a cdk8s-plus construct, built in place of the plain object when first asked for). */
  get deployment(): kplus.Deployment {
    if (!this.built) {
      this.node.tryRemoveChild('Deployment');
      this.built = this.build();
    }
    return this.built;
  }

  private build(): kplus.Deployment {
    const { props } = this;
    const deployment = new kplus.Deployment(this, 'Deployment', {
      metadata: { name: props.name },
      replicas: workloadSize(props).replicas,
      select: false,
      automountServiceAccountToken: false,
      containers: [containerProps(props)],
    });
    useStableSelector(deployment, props.name);
    addLabels(deployment, props);
    mountWritablePaths(deployment, props);
    return deployment;
  }
}
