/** A job that runs on a schedule: a CronJob. */

import { ApiObject, Cron, Duration, JsonPatch } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { cronScheduleProblem } from './cron-schedule.ts';
import {
  ADDRESS_LABEL_POINTER,
  addLabels,
  checkProps,
  containerProps,
  mountWritablePaths,
  selectorLabels,
  WORKLOAD_PROPS,
  type WorkloadOptions,
} from './workload-options.ts';

/** Props of {@link ScheduledJob}. */
export interface ScheduledJobProps extends WorkloadOptions {
  /**
   * When to run: a cdk8s `Cron`, or a schedule string as Kubernetes takes it (`0 3 * * *`, `@daily`,
   * `@every 2h`); written to the CronJob exactly as given.
   */
  readonly schedule: Cron | string;
  /** Time zone of the schedule. @default Etc/UTC */
  readonly timeZone?: string;
  /** Longest a run may take. @default 1 hour */
  readonly activeDeadline?: Duration;
}

const SCHEDULED_JOB_PROPS = { ...WORKLOAD_PROPS, schedule: true, timeZone: true, activeDeadline: true } as const satisfies Record<
  keyof ScheduledJobProps,
  true
>;

/**
 * A CronJob that never runs two jobs at once (`concurrencyPolicy: Forbid`) and keeps a short history
 * (3 successful and 3 failed jobs). Fixed settings: a run starts at most 10 seconds after its
 * scheduled time or is skipped (`startingDeadlineSeconds: 10`, cdk8s-plus's default), a failed run is
 * retried twice (`backoffLimit: 2`), pods get no service-account token, and the schedule is read in
 * `Etc/UTC` unless `timeZone` names another zone.
 */
export class ScheduledJob extends Construct {
  /** The CronJob. */
  readonly cronJob: kplus.CronJob;

  constructor(scope: Construct, id: string, props: ScheduledJobProps) {
    super(scope, id);
    checkProps('ScheduledJob', props, SCHEDULED_JOB_PROPS);
    const schedule = typeof props.schedule === 'string' ? props.schedule : props.schedule.expressionString;
    const problem = cronScheduleProblem(schedule);
    if (problem) throw new Error(`ScheduledJob "${props.name}": schedule "${schedule}" ${problem}`);
    this.cronJob = new kplus.CronJob(this, 'CronJob', {
      metadata: { name: props.name },
      // cdk8s-plus only takes a Cron; the exact text is patched in below (macros such as @daily included).
      schedule: Cron.daily(),
      timeZone: props.timeZone ?? 'Etc/UTC',
      concurrencyPolicy: kplus.ConcurrencyPolicy.FORBID,
      successfulJobsRetained: 3,
      failedJobsRetained: 3,
      activeDeadline: props.activeDeadline ?? Duration.hours(1),
      backoffLimit: 2,
      select: false,
      automountServiceAccountToken: false,
      containers: [containerProps(props)],
    });
    addLabels(this.cronJob, props);
    mountWritablePaths(this.cronJob, props);
    for (const [key, value] of Object.entries(selectorLabels(props.name))) this.cronJob.podMetadata.addLabel(key, value);
    // The construct-path label would change with every refactor; pods need no selector here.
    ApiObject.of(this.cronJob).addJsonPatch(
      JsonPatch.remove(`/spec/jobTemplate/spec/template/metadata/labels/${ADDRESS_LABEL_POINTER}`),
      JsonPatch.replace('/spec/schedule', schedule),
    );
  }
}
