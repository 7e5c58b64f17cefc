/** The Postgres database the ingestion pipeline writes to. */
import { defineApp, StatefulService } from '@manifold/constructs';

export default defineApp({
  name: 'postgres',
  images: ['postgres'],
  build(chart, env) {
    new StatefulService(chart, 'Database', {
      name: 'postgres',
      image: env.image('postgres'),
      port: 5432,
      size: env.size('medium'),
      storage: env.name === 'prod' ? '200Gi' : '20Gi',
      mountPath: '/var/lib/postgresql/data',
      env: {
        POSTGRES_DB: 'acme',
        PGDATA: '/var/lib/postgresql/data/pgdata',
      },
      // The official image runs as the postgres user (999); besides its volume it writes only its socket and temporary files.
      securityContext: { user: 999, group: 999 },
      writablePaths: ['/tmp', '/var/run/postgresql'],
    });
  },
});
