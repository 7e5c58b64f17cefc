/**
 * Schedules and launches ingestion Jobs. It starts them with the ingestor image pinned here, so the
 * ingestor's name and digest travel in env vars that Flux moves together with the pin.
 */
import { defineApp, ScheduledJob, WebService } from '@manifold/constructs';

export default defineApp({
  name: 'jobs-manager',
  images: ['manager', 'ingestor'],
  build(chart, env) {
    const launcherEnv = {
      INGESTOR_IMAGE: env.imageField('ingestor', 'name'),
      INGESTOR_IMAGE_TAG: env.imageField('ingestor', 'tag'),
      INGESTOR_IMAGE_DIGEST: env.imageField('ingestor', 'digest'),
      JOB_NAMESPACE: env.namespace,
    };
    new WebService(chart, 'Manager', {
      name: 'jobs-manager',
      image: env.image('manager'),
      port: 8080,
      size: env.size('small'),
      env: launcherEnv,
    });
    new ScheduledJob(chart, 'NightlyBackfill', {
      name: 'nightly-backfill',
      image: env.image('manager'),
      schedule: '30 2 * * *',
      args: ['backfill', '--since', '24h'],
      env: launcherEnv,
    });
  },
});
