/** A long-running background process: a Deployment without a Service. */

import * as kplus from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { addLabels, containerProps, mountWritablePaths, useStableSelector, type WorkloadOptions, workloadSize } from './workload-options.ts';

/** Props of {@link Worker}. */
export interface WorkerProps extends WorkloadOptions {}

/** A Deployment of queue consumers or other processes that take no traffic. */
export class Worker extends Construct {
  /** The Deployment running the pods. */
  readonly deployment: kplus.Deployment;

  constructor(scope: Construct, id: string, props: WorkerProps) {
    super(scope, id);
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
