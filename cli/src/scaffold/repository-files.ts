/**
 * The files `manifold init` writes for a new repository: the workspace (package.json, pnpm, turbo,
 * TypeScript), one example app, a package for the team's own constructs, one overlay per environment,
 * and the team's README. The GitHub workflows come from {@link githubFiles}.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { type AppKind, appFiles } from './app-files.ts';

/** The versions a new repository depends on, from the CLI's own package.json files. */
export interface RepositoryVersions {
  /** `@manifold/cli` and `@manifold/constructs`: a version range, or the `file:` tarballs to test a release with. */
  readonly manifold: { readonly cli: string; readonly constructs: string };
  /** cdk8s, cdk8s-plus-28 and constructs, as @manifold/constructs states them. */
  readonly peers: Readonly<Record<string, string>>;
  /** typescript, @types/node and turbo, as this repository uses them. */
  readonly tools: Readonly<Record<string, string>>;
  /** `pnpm@<version>`. */
  readonly packageManager: string;
  /** The Node.js range both packages support. */
  readonly node: string;
  /** The Node.js major line CI and `.node-version` use. */
  readonly nodeLine: string;
}

/** What a new repository is made of. */
export interface RepositoryOptions {
  /** The package name (the folder's name as a DNS-1123 label). */
  readonly name: string;
  /** Environments in promotion order: each one after the first is promoted from the one before. */
  readonly envs: readonly string[];
  readonly delivery: 'argocd' | 'flux';
  /** The repository as the cluster clones it, for the generated sync objects. */
  readonly repositoryUrl: string;
  /** The example app's image and whether it carries a digest (an environment that requires digests deploys it only then). */
  readonly image: { readonly ref: string; readonly immutable: boolean };
  readonly versions: RepositoryVersions;
}

/** The example app every new repository starts with; its default image (nginx, unprivileged, on 8080) answers health checks on /. */
const EXAMPLE_APP = { name: 'web', kind: 'web' as AppKind, size: 'small', healthPath: '/' };
/** Where editors find the JSON Schemas of the overlays: in the installed CLI package. */
const SCHEMAS = '../../node_modules/@manifold/cli/schema';

/** The `$schema` folder an overlay file of the repository at `root` names: its own `cli/schema` (this reference repository) or the installed package's. */
export function overlaySchemaFolder(root: string): string {
  return existsSync(join(root, 'cli', 'schema')) ? '../../cli/schema' : SCHEMAS;
}

/** The commands a team runs, as root package scripts (`pnpm synth`, `pnpm pin dev web=…`). */
const SCRIPTS: Readonly<Record<string, string>> = {
  synth: 'manifold synth',
  manifold: 'manifold',
  pin: 'manifold pin',
  promote: 'manifold promote',
  rollback: 'manifold rollback',
  release: 'manifold release',
  images: 'manifold images',
  schema: 'echo "the JSON Schemas come with @manifold/cli (node_modules/@manifold/cli/schema)"',
  check: 'manifold synth --check && manifold renovate --check',
  typecheck: 'turbo run typecheck',
};

/** Path (relative to the new repository) → content, for every file but the GitHub ones and renovate.json. */
export function repositoryFiles(options: RepositoryOptions): Map<string, string> {
  const { versions } = options;
  const files = new Map<string, string>([
    ['package.json', json(rootPackage(options))],
    ['pnpm-workspace.yaml', WORKSPACE],
    ['turbo.json', json({ $schema: 'https://turbo.build/schema.json', tasks: { typecheck: { dependsOn: ['^typecheck'], outputs: [] } } })],
    ['tsconfig.base.json', json({ compilerOptions: TYPESCRIPT_OPTIONS })],
    ['.node-version', `${versions.nodeLine}\n`],
    ['.gitignore', GITIGNORE],
    ['README.md', readme(options)],
    ['dist/README.md', DIST_README],
    ['constructs/package.json', json(constructsPackage(options))],
    ['constructs/tsconfig.json', '{ "extends": "../tsconfig.base.json", "include": ["src"] }\n'],
    ['constructs/src/index.ts', constructsSource(options.name)],
  ]);
  for (const [path, text] of appFiles({ ...EXAMPLE_APP, rootDevDependencies: versions.tools, constructsDependency: versions.manifold.constructs })) {
    files.set(path, text);
  }
  options.envs.forEach((env, index) => {
    const deploysExample = options.image.immutable || !requiresDigests(index, options.envs);
    files.set(`overlays/${env}/environment.yaml`, environmentYaml(options, env, index, deploysExample));
    files.set(`overlays/${env}/images.yaml`, imagesYaml(env, deploysExample ? options.image.ref : undefined));
  });
  return files;
}

/** The last environment (production) requires digests; the others take a tag until CI pins its digest. */
function requiresDigests(index: number, envs: readonly string[]): boolean {
  return envs.length > 1 && index === envs.length - 1;
}

function rootPackage({ name, versions }: RepositoryOptions): object {
  return {
    name,
    private: true,
    description: 'Kubernetes manifests for every environment, rendered by Manifold from typed cdk8s apps into dist/.',
    type: 'module',
    packageManager: versions.packageManager,
    engines: { node: versions.node },
    scripts: SCRIPTS,
    dependencies: { '@manifold/cli': versions.manifold.cli, '@manifold/constructs': versions.manifold.constructs, ...versions.peers },
    devDependencies: versions.tools,
    // Packages from tarballs: the CLI's own dependency on the constructs must take the tarball too.
    ...(versions.manifold.constructs.startsWith('file:') ? { pnpm: { overrides: { '@manifold/constructs': versions.manifold.constructs } } } : {}),
  };
}

function constructsPackage({ name, versions }: RepositoryOptions): object {
  return {
    name: `@${name}/constructs`,
    version: '0.1.0',
    private: true,
    description: "This team's own constructs, built on @manifold/constructs.",
    type: 'module',
    exports: { '.': './src/index.ts' },
    scripts: { typecheck: 'tsc -p tsconfig.json' },
    dependencies: { '@manifold/constructs': versions.manifold.constructs, ...versions.peers },
    devDependencies: versions.tools,
  };
}

function environmentYaml({ name, envs, delivery, repositoryUrl }: RepositoryOptions, env: string, index: number, deploysExample: boolean): string {
  const lines = [
    `# yaml-language-server: $schema=${SCHEMAS}/environment.schema.json`,
    index === 0 ? `# The ${env} environment.` : `# The ${env} environment, promoted from ${envs[index - 1]}.`,
    `namespace: ${name}-${env}`,
    ...(index === 0 ? [] : [`promotesFrom: ${envs[index - 1]}`]),
    `domain: ${env}.${name}.example.com # the DNS domain apps build host names from`,
    `requireDigests: ${requiresDigests(index, envs)}`,
    ...(deploysExample
      ? []
      : [`# ${EXAMPLE_APP.name} comes here once pinned by digest: list it, then pnpm promote ${envs[index - 1] ?? env} ${env}`, 'apps: []']),
    'delivery:',
    `  tool: ${delivery}`,
    `  repository: ${repositoryUrl}`,
    'sizes:',
    ...(['small', 'medium', 'large'] as const).flatMap((size, step) => [
      `  ${size}:`,
      `    replicas: ${index === envs.length - 1 && envs.length > 1 ? 2 : 1}`,
      `    cpu: ${[100, 250, 500][step]}m`,
      `    memory: ${['256Mi', '512Mi', '1Gi'][step]}`,
    ]),
  ];
  return `${lines.join('\n')}\n`;
}

function imagesYaml(env: string, ref: string | undefined): string {
  const head = `# yaml-language-server: $schema=${SCHEMAS}/images.schema.json\n# Image pins for ${env}: app -> image -> pin. Edited by people, CI and Flux.\n`;
  return ref === undefined ? head : `${head}${EXAMPLE_APP.name}:\n  ${EXAMPLE_APP.name}:\n    ref: ${ref}\n`;
}

function json(value: unknown): string {
  return `${JSON.stringify(value, null, 2)}\n`;
}

const TYPESCRIPT_OPTIONS = {
  target: 'ES2022',
  module: 'NodeNext',
  moduleResolution: 'NodeNext',
  strict: true,
  noUncheckedIndexedAccess: true,
  skipLibCheck: true,
  isolatedModules: true,
  verbatimModuleSyntax: true,
  allowImportingTsExtensions: true,
  noEmit: true,
  types: ['node'],
};

const WORKSPACE = `packages:
  - constructs
  - apps/*

# Build scripts that may run on install. pnpm 10 reads onlyBuiltDependencies, pnpm 11 and later allowBuilds.
onlyBuiltDependencies:
  - esbuild
allowBuilds:
  esbuild: true
`;

const GITIGNORE = `node_modules/
.turbo/
*.tsbuildinfo

# transient files of an interrupted synth
dist/.manifold.lock*
dist/.*.previous/
dist/.*.next-*/
dist/.*.patch/

# the release board written by pnpm manifold board
/board/
`;

const DIST_README = `# dist/

Written by \`pnpm synth\`, one folder per environment, and committed: Argo CD or Flux syncs \`dist/<env>\`.
Do not edit these files by hand; change apps/ or overlays/ and run \`pnpm synth\`.
`;

function constructsSource(name: string): string {
  return `/**
 * This team's own constructs: compose @manifold/constructs (WebService, Worker, ScheduledJob,
 * StatefulService) into the building blocks your apps share, and import them from '@${name}/constructs'.
 */
export { WebService, Worker } from '@manifold/constructs';
`;
}

function readme({ name, envs }: RepositoryOptions): string {
  const first = envs[0] ?? 'dev';
  const chain = envs.join(' → ');
  return `# ${name}

Kubernetes manifests for ${envs.join(', ')}, rendered by [Manifold](https://www.npmjs.com/package/@manifold/cli) from
typed cdk8s apps. Argo CD or Flux syncs \`dist/<env>\`; every image is pinned by digest in
\`overlays/<env>/images.yaml\`.

## Start

\`\`\`sh
pnpm install
pnpm synth            # render dist/<env> for every environment (commit the result)
pnpm check            # what CI runs: dist/ and renovate.json are current
\`\`\`

## Layout

\`\`\`
apps/<name>/src/index.ts   one app: a defineApp() with the images it needs (pnpm manifold new app <name> …)
constructs/                this team's own constructs, shared by the apps
overlays/<env>/            environment.yaml (namespace, domain, sizes, delivery) and images.yaml (the pins)
dist/<env>/                what synth writes and the cluster syncs: never edited by hand
.github/                   CI, the pull-request review comment, build-and-pin, promote, rollback, Flux and Renovate flows
\`\`\`

Environments are promoted in this order: ${chain}.

## Everyday commands

\`\`\`sh
pnpm manifold new app api --kind web --image ghcr.io/acme/api:1.0.0@sha256:…   # a new app, pinned
pnpm pin ${first} web=ghcr.io/acme/web:1.2.0                                  # digest resolved from the registry
${envs.length > 1 ? `pnpm promote ${envs.at(-2)} ${envs.at(-1)}                                              # copy pins to the next environment\n` : ''}pnpm rollback ${envs.at(-1)} web                                               # back to the previous pin, held against Flux
pnpm manifold diff --base origin/main                                          # what a change deploys
\`\`\`

## Upgrading Manifold

Manifold comes as two packages, \`@manifold/cli\` and \`@manifold/constructs\`, always upgraded together:

1. Read their CHANGELOG.md (in \`node_modules/@manifold/cli/\`): a release that changes rendered output says so.
2. Bump both versions in package.json (and in constructs/ and apps/*/package.json), then \`pnpm install\`.
3. \`pnpm synth --check\` names every file the new version renders differently; \`pnpm synth\` writes them.
4. Review the change with \`pnpm manifold diff --base origin/main\` and commit dist/ with the upgrade.

The workflows in \`.github/\` were written by \`manifold init\` and are yours to change; a release's changelog
says when they should be refreshed.
`;
}
