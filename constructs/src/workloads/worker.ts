/** A long-running background process: a Deployment without a Service. */

import * as kplus from 'cdk8s-plus-28';
import { Construct } from 'constructs';
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

/** A Deployment of queue consumers or other processes that take no traffic. */
export class Worker extends Construct {
  /** The Deployment running the pods. */
  readonly deployment: kplus.Deployment;

  constructor(scope: Construct, id: string, props: WorkerProps) {
    super(scope, id);
    checkProps('Worker', props, WORKER_PROPS);
    this.deployment = new kplus.Deployment(this, 'Deployment', {
      metadata: { name: props.name },
      replicas: workloadSize(props).replicas,
      select: false,
      automountServiceAccountToken: false,
      containers: [containerProps(props)],
    });
    useStableSelector(this.deployment, props.name);
    addLabels(this.deployment, props);
    mountWritablePaths(this.deployment, props);
  }
}
