/** The customer-facing Next.js frontend, served at www.<domain>. */
import { defineApp, WebService } from '@manifold/constructs';

export default defineApp({
  name: 'web',
  images: ['web'],
  build(chart, env) {
    new WebService(chart, 'Frontend', {
      name: 'web',
      image: env.image('web'),
      port: 3000,
      healthPath: '/api/health',
      size: env.size('medium'),
      host: `www.${env.domain}`,
      ingressClassName: 'nginx',
      tlsSecretName: 'web-tls',
      env: {
        NODE_ENV: 'production',
        NEXT_PUBLIC_API_URL: `https://api.${env.domain}`,
        NEXT_TELEMETRY_DISABLED: '1',
      },
      // Next.js writes its cache under .next/cache at run time.
      securityContext: { readOnlyRootFilesystem: false, user: 1001, group: 1001 },
    });
  },
});
