export { type AppDefinition, defineApp, type EnvironmentContext, type WorkloadSize } from './app.ts';
export { type ImageField, type ImagePolicyKey, imagePolicyMarker, imagePolicyName, stableDnsLabel } from './images/image-policy-marker.ts';
export { ImageRef, InvalidImageRefError, type TaggedImageRef } from './images/image-ref.ts';
export { cronScheduleProblem } from './workloads/cron-schedule.ts';
export { ScheduledJob, type ScheduledJobProps } from './workloads/scheduled-job.ts';
export { StatefulService, type StatefulServiceProps } from './workloads/stateful-service.ts';
export { WebService, type WebServiceProps } from './workloads/web-service.ts';
export { Worker, type WorkerProps } from './workloads/worker.ts';
export type { WorkloadOptions } from './workloads/workload-options.ts';
