/** Consumes upload events and loads customer CSV files into Postgres. */
import { defineApp, Worker } from '@manifold/constructs';

export default defineApp({
  name: 'csv-ingestor',
  images: ['ingestor'],
  build(chart, env) {
    new Worker(chart, 'Ingestor', {
      name: 'csv-ingestor',
      image: env.image('ingestor'),
      size: env.size('small'),
      args: ['consume', '--queue', 'csv-uploads'],
      env: {
        DATABASE_HOST: 'postgres',
        DATABASE_NAME: 'acme',
        // Fetched in the cluster by External Secrets from the environment's Pulumi ESC environment.
        DATABASE_PASSWORD: env.secret('DATABASE_PASSWORD', 'postgres.password'),
        UPLOAD_BUCKET: `acme-uploads-${env.name}`,
        BATCH_SIZE: '5000',
      },
    });
  },
});
