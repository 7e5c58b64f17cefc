/**
 * The part of the constructs package the CLI itself uses: image references, policy markers, the app
 * contract and secrets. It imports no construct library, so loading it costs nothing.
 */
export type { AppDefinition, EnvironmentContext, WorkloadSize } from './app.ts';
export { type ImageField, type ImagePolicyKey, imagePolicyMarker, imagePolicyName, stableDnsLabel } from './images/image-policy-marker.ts';
export { ImageRef, InvalidImageRefError, type TaggedImageRef } from './images/image-ref.ts';
export { type ChartSettings, chartObjectJson, type PlainObject } from './plain-json.ts';
export { EscSecret } from './secrets/esc-secret.ts';
export { cronScheduleProblem } from './workloads/cron-schedule.ts';
