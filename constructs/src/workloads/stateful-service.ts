/** A stateful server with its own volume per replica: StatefulSet, headless Service, volume claims. */
import { ApiObject, JsonPatch } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import {
  ADDRESS_LABEL_POINTER,
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

/** Props of {@link StatefulService}. */
export interface StatefulServiceProps extends WorkloadOptions {
  /** Port the server listens on. */
  readonly port: number;
  /** Size of each replica's volume. @default 10Gi */
  readonly storage?: string;
  /** StorageClass of the volumes. @default the cluster default */
  readonly storageClassName?: string;
  /** Where the volume is mounted in the container. */
  readonly mountPath: string;
  /** Group that owns the volume, so the non-root process can write it. @default the container's group */
  readonly fsGroup?: number;
}

/** cdk8s-plus's group for a non-root container that names none. */
const DEFAULT_GROUP = 26000;

const DATA_VOLUME = 'data';

const STATEFUL_SERVICE_PROPS = {
  ...WORKLOAD_PROPS,
  port: true,
  storage: true,
  storageClassName: true,
  mountPath: true,
  fsGroup: true,
} as const satisfies Record<keyof StatefulServiceProps, true>;

/** A StatefulSet behind a headless Service, each replica with a ReadWriteOnce volume claim. */
export class StatefulService extends Construct {
  /** The StatefulSet. */
  readonly statefulSet: kplus.StatefulSet;
  /** The headless Service giving each replica a stable DNS name. */
  readonly service: kplus.Service;

  constructor(scope: Construct, id: string, props: StatefulServiceProps) {
    super(scope, id);
    checkProps('StatefulService', props, STATEFUL_SERVICE_PROPS);
    this.service = new kplus.Service(this, 'Service', {
      metadata: { name: props.name },
      clusterIP: 'None',
      ports: [{ name: 'main', port: props.port, targetPort: props.port }],
    });
    for (const [key, value] of Object.entries(selectorLabels(props.name))) this.service.selectLabel(key, value);
    addLabels(this.service, props);

    this.statefulSet = new kplus.StatefulSet(this, 'StatefulSet', {
      metadata: { name: props.name },
      service: this.service,
      replicas: workloadSize(props).replicas,
      select: false,
      automountServiceAccountToken: false,
      securityContext: { ensureNonRoot: true, fsGroup: props.fsGroup ?? props.securityContext?.group ?? DEFAULT_GROUP },
      containers: [containerProps(props, { portNumber: props.port })],
    });
    useStableSelector(this.statefulSet, props.name);
    // StatefulSet makes its Service select it by the construct-path label; keep only ours.
    ApiObject.of(this.service).addJsonPatch(JsonPatch.remove(`/spec/selector/${ADDRESS_LABEL_POINTER}`));
    addLabels(this.statefulSet, props);
    mountWritablePaths(this.statefulSet, props, [props.mountPath]);

    // cdk8s-plus-28 has no volumeClaimTemplates; add the claim and its mount directly.
    const apiObject = ApiObject.of(this.statefulSet);
    apiObject.addJsonPatch(
      JsonPatch.add('/spec/volumeClaimTemplates', [
        {
          metadata: { name: DATA_VOLUME },
          spec: {
            accessModes: ['ReadWriteOnce'],
            ...(props.storageClassName ? { storageClassName: props.storageClassName } : {}),
            resources: { requests: { storage: kplus.k8s.Quantity.fromString(props.storage ?? '10Gi') } },
          },
        },
      ]),
      // After the mounts cdk8s-plus renders (the writable paths), or as the only one.
      this.statefulSet.containers[0]?.mounts.length
        ? JsonPatch.add('/spec/template/spec/containers/0/volumeMounts/-', { name: DATA_VOLUME, mountPath: props.mountPath })
        : JsonPatch.add('/spec/template/spec/containers/0/volumeMounts', [{ name: DATA_VOLUME, mountPath: props.mountPath }]),
    );
  }
}
