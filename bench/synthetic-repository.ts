/** A synthetic repository for benchmarks: N services × 3 environments, with caches of its own. */
import { createHash } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { newRepository } from '../e2e/temp-repo.ts';

const ENVS = { dev: 'small', staging: 'medium', prod: 'large' } as const;

/** Writes `services` services (`apps/svc-NNNN`) and their pins in dev, staging and prod into `root`. */
export async function writeServices(root: string, services: number): Promise<void> {
  const pins: Record<string, string[]> = { dev: [], staging: [], prod: [] };
  for (let index = 0; index < services; index++) {
    const name = `svc-${String(index).padStart(4, '0')}`;
    await mkdir(join(root, 'apps', name, 'src'), { recursive: true });
    await writeFile(join(root, 'apps', name, 'package.json'), `{ "name": "@bench/${name}", "type": "module", "exports": "./src/index.ts" }\n`);
    await writeFile(
      join(root, 'apps', name, 'src', 'index.ts'),
      `import { defineApp, WebService } from '@manifold/constructs';
export default defineApp({
  name: '${name}',
  images: ['app'],
  build(chart, env) {
    new WebService(chart, 'Service', { name: '${name}', image: env.image('app'), size: env.size('default'), host: \`${name}.\${env.domain}\`, env: { SERVICE: '${name}' } });
  },
});
`,
    );
    for (const env of Object.keys(ENVS)) {
      const tag = `main-${createHash('sha1')
        .update(name + env)
        .digest('hex')
        .slice(0, 7)}-${1732150000 + index}`;
      const digest = createHash('sha256')
        .update(name + env)
        .digest('hex');
      pins[env]?.push(
        `${name}:\n  app:\n    ref: ghcr.io/acme/${name}:${tag}@sha256:${digest}\n    update:\n      pattern: '^main-[a-f0-9]+-(?P<ts>[0-9]+)$'\n      extract: $ts\n      sort: numerical\n`,
      );
    }
  }
  for (const [env, size] of Object.entries(ENVS)) {
    await mkdir(join(root, 'overlays', env), { recursive: true });
    const replicas = { small: 1, medium: 2, large: 3 }[size];
    await writeFile(
      join(root, 'overlays', env, 'environment.yaml'),
      `namespace: bench-${env}\ndomain: ${env}.bench.example\nsizes:\n  default:\n    replicas: ${replicas}\n    cpu: 250m\n    memory: 256Mi\n`,
    );
    await writeFile(join(root, 'overlays', env, 'images.yaml'), pins[env]?.join('') ?? '');
  }
}

/** A repository of `services` services × 3 environments with a node_modules of its own, so its caches are its own. */
export async function benchRepository(services: number): Promise<string> {
  const root = await newRepository(join(import.meta.dirname, '..', '.cache', 'bench'), { ownCaches: true });
  await writeServices(root, services);
  return root;
}
