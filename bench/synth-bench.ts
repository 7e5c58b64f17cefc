/**
 * `pnpm bench [N]`: generates N synthetic services × 3 environments in a temporary repository and
 * reports the wall time of `manifold synth` end to end (process start to exit).
 */
import { createHash } from 'node:crypto';
import { cp, mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { copyRepository, runManifold } from '../e2e/temp-repo.ts';

const ENVS = { dev: 'small', staging: 'medium', prod: 'large' } as const;
const RUNS = 5;

async function generate(root: string, services: number): Promise<void> {
  await rm(join(root, 'apps'), { recursive: true });
  await rm(join(root, 'overlays'), { recursive: true });
  await rm(join(root, 'dist'), { recursive: true });
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

async function timeSynth(root: string, args: string[] = []): Promise<number> {
  const started = process.hrtime.bigint();
  const run = await runManifold(root, ['synth', ...args]);
  if (run.code !== 0) throw new Error(`synth failed:\n${run.stderr}`);
  return Number(process.hrtime.bigint() - started) / 1e6;
}

const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? Number.NaN;

const services = Number(process.argv[2] ?? 200);
// Inside the repository's ignored .cache/: the same disk as a real checkout, not a RAM or special /tmp.
const root = await copyRepository(join(import.meta.dirname, '..', '.cache', 'bench'));
await generate(root, services);
await timeSynth(root); // warms tsx's transform cache, as any second run on a machine would be
const full: number[] = [];
for (let run = 0; run < RUNS; run++) {
  await rm(join(root, 'dist'), { recursive: true, force: true });
  full.push(await timeSynth(root));
}
const noop: number[] = [];
for (let run = 0; run < RUNS; run++) noop.push(await timeSynth(root));
const check: number[] = [];
for (let run = 0; run < RUNS; run++) check.push(await timeSynth(root, ['--check']));
// The disk's own floor: copying the same tree (file creation dominates on slow virtual disks).
const copies: number[] = [];
for (let run = 0; run < RUNS; run++) {
  const started = process.hrtime.bigint();
  await cp(join(root, 'dist'), join(root, `dist-copy-${run}`), { recursive: true });
  copies.push(Number(process.hrtime.bigint() - started) / 1e6);
}
// A large overlay: 60,000 pins (2.8 MB) in one images.yaml, which synth must read and refuse (no app uses them).
const large = await copyRepository(join(import.meta.dirname, '..', '.cache', 'bench'));
const largePins = Array.from({ length: 60_000 }, (_, index) => {
  const digest = createHash('sha256').update(String(index)).digest('hex');
  return `svc-${index}:\n  app:\n    ref: ghcr.io/acme/svc-${index}:main-abc1234-${1732150000 + index}@sha256:${digest}\n`;
});
await writeFile(join(large, 'overlays', 'dev', 'images.yaml'), largePins.join(''));
const overlay: number[] = [];
for (let run = 0; run < 3; run++) {
  const started = process.hrtime.bigint();
  const refused = await runManifold(large, ['synth', '--check', 'dev']);
  if (refused.code !== 2) throw new Error(`expected the large overlay to be refused:\n${refused.stderr}`);
  overlay.push(Number(process.hrtime.bigint() - started) / 1e6);
}
await rm(large, { recursive: true, force: true });
console.log(`${services} services × 3 environments (${services * 3 * 3} resource files), median of ${RUNS} runs:`);
console.log(`  synth from empty dist/  ${median(full).toFixed(0)} ms`);
console.log(`  synth, nothing changed  ${median(noop).toFixed(0)} ms`);
console.log(`  synth --check           ${median(check).toFixed(0)} ms`);
console.log(`  (copying that dist/ tree with fs.cp takes ${median(copies).toFixed(0)} ms on this disk)`);
console.log(`  60,000-pin images.yaml read and refused: ${median(overlay).toFixed(0)} ms (median of 3)`);
await rm(root, { recursive: true, force: true });
