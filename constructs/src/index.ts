export { defineApp, type AppDefinition, type EnvironmentContext, type WorkloadSize } from './app.ts';
export { ImageRef, InvalidImageRefError } from './images/image-ref.ts';
export { imagePolicyMarker, imagePolicyName, type ImageField, type ImagePolicyKey } from './images/image-policy-marker.ts';
export { WebService, type WebServiceProps } from './workloads/web-service.ts';
export { Worker, type WorkerProps } from './workloads/worker.ts';
export { ScheduledJob, type ScheduledJobProps } from './workloads/scheduled-job.ts';
export { StatefulService, type StatefulServiceProps } from './workloads/stateful-service.ts';
export type { WorkloadOptions } from './workloads/workload-options.ts';
