/** The model-serving API (FastAPI + a scikit-learn model), served at api.<domain>. */
import { defineApp, WebService } from '@manifold/constructs';

export default defineApp({
  name: 'ml-api',
  images: ['api'],
  build(chart, env) {
    new WebService(chart, 'Api', {
      name: 'ml-api',
      image: env.image('api'),
      port: 8000,
      healthPath: '/healthz',
      size: env.size('large'),
      host: `api.${env.domain}`,
      ingressClassName: 'nginx',
      tlsSecretName: 'ml-api-tls',
      command: ['uvicorn', 'ml_api.main:app'],
      args: ['--host', '0.0.0.0', '--port', '8000', '--workers', '2'],
      env: {
        MODEL_URI: `s3://acme-models-${env.name}/churn/current`,
        LOG_LEVEL: env.name === 'prod' ? 'info' : 'debug',
      },
    });
  },
});
