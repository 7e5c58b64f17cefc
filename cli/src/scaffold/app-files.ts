/** The files `manifold new app` writes for an app: its package, its TypeScript project and its source. */

/** The kinds of app `manifold new app` can start, each one construct of @manifold/constructs. */
export const APP_KINDS = ['web', 'worker', 'cron', 'stateful'] as const;
/** One of {@link APP_KINDS}. */
export type AppKind = (typeof APP_KINDS)[number];

/**
 * The repository's commands as package scripts, so `pnpm synth` (and every other documented command)
 * also works inside `apps/<name>/`: pnpm looks for a script in the nearest package.json only. Not
 * `test` or `lint`: turbo runs those per package, and a package that ran the root's would run them all again.
 */
export const REPOSITORY_SCRIPTS = ['synth', 'manifold', 'pin', 'promote', 'rollback', 'release', 'images', 'schema'] as const;

/** What a new app's files depend on: the root package's versions of the tools they name. */
export interface AppFileOptions {
  readonly name: string;
  readonly kind: AppKind;
  /** The environment size class the workload asks for (`env.size(…)`). */
  readonly size: string;
  /** The root package.json's devDependencies, for the versions of typescript and @types/node. */
  readonly rootDevDependencies: Readonly<Record<string, string>>;
  /** How the app depends on @manifold/constructs: the repository's own version, or the workspace package (default). */
  readonly constructsDependency?: string;
  /** For a web app: the path its probes ask (default `/healthz`). */
  readonly healthPath?: string;
}

/** Path (relative to the repository root) → content of every file of a new app. */
export function appFiles(options: AppFileOptions): Map<string, string> {
  const folder = `apps/${options.name}`;
  return new Map([
    [`${folder}/package.json`, `${JSON.stringify(appPackage(options), null, 2)}\n`],
    [`${folder}/tsconfig.json`, '{ "extends": "../../tsconfig.base.json", "include": ["src"] }\n'],
    [`${folder}/src/index.ts`, appSource(options)],
  ]);
}

function appPackage({ name, rootDevDependencies, constructsDependency = 'workspace:*' }: AppFileOptions): object {
  const devDependencies = Object.fromEntries(
    ['@types/node', 'typescript'].flatMap((tool) => (rootDevDependencies[tool] ? [[tool, rootDevDependencies[tool]]] : [])),
  );
  return {
    name: `@apps/${name}`,
    version: '0.1.0',
    private: true,
    type: 'module',
    exports: { '.': './src/index.ts' },
    scripts: { typecheck: 'tsc -p tsconfig.json', ...Object.fromEntries(REPOSITORY_SCRIPTS.map((script) => [script, `pnpm --workspace-root run ${script}`])) },
    dependencies: { '@manifold/constructs': constructsDependency },
    devDependencies,
  };
}

/** The app's `src/index.ts`: one workload of `kind`, formatted as Biome formats it. */
function appSource({ name, kind, size, healthPath = '/healthz' }: AppFileOptions): string {
  const id = name
    .split('-')
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
    .join('');
  const construct = { web: 'WebService', worker: 'Worker', cron: 'ScheduledJob', stateful: 'StatefulService' }[kind];
  const what = {
    web: 'An HTTP service with a Service and, on its host, an Ingress.',
    worker: 'A background worker: a Deployment without a Service.',
    cron: 'A job that runs on a schedule: a CronJob (UTC, one run at a time).',
    stateful: 'A server with its own volume per replica: a StatefulSet and a headless Service.',
  }[kind];
  // Each prop as written, and the comment after it.
  const propsByKind: Record<AppKind, [string, string?][]> = {
    web: [['port: 8080'], [`healthPath: '${healthPath}'`], [`host: \`${name}.\${env.domain}\``, 'adds an Ingress']],
    worker: [["args: ['work']"]],
    cron: [["schedule: '0 3 * * *'", 'UTC; a run never overlaps the last'], ["args: ['run']"]],
    stateful: [['port: 5432'], ["storage: '10Gi'", 'a volume per replica'], ["mountPath: '/data'"]],
  };
  const props = propsByKind[kind];
  return `/** ${what} */
import { defineApp, ${construct} } from '@manifold/constructs';

export default defineApp({
  name: '${name}', // must equal the folder name
  images: ['${name}'], // each environment that deploys the app pins it in overlays/<env>/images.yaml
  build(chart, env) {
    new ${construct}(chart, '${id}', {
      name: '${name}', // object names come from here: stable across refactors
      image: env.image('${name}'), // the pinned reference from overlays/<env>/images.yaml
      size: env.size('${size}'), // replicas and resources from environment.yaml
${props.map(([prop, comment]) => `      ${prop},${comment ? ` // ${comment}` : ''}`).join('\n')}
      env: { LOG_LEVEL: 'info' },
    });
  },
});
`;
}
