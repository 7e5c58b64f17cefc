import { appendFile, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { copyRepository, runManifold, snapshot } from './temp-repo.ts';

type Edit = (root: string) => Promise<void>;

const replaceIn =
  (file: string, from: string | RegExp, to: string): Edit =>
  async (root) => {
    const path = join(root, file);
    const text = await readFile(path, 'utf8');
    const next = text.replace(from, to);
    if (next === text) throw new Error(`test setup: ${String(from)} not found in ${file}`);
    await writeFile(path, next);
  };

const both =
  (first: Edit, second: Edit): Edit =>
  async (root) => {
    await first(root);
    await second(root);
  };

const DEV_IMAGES = 'overlays/dev/images.yaml';
const PROD_IMAGES = 'overlays/prod/images.yaml';

const cases: [string, Edit, RegExp][] = [
  [
    'malformed YAML',
    replaceIn('overlays/dev/environment.yaml', 'domain: dev.acme.example', 'domain: [dev.acme.example'),
    /^overlays\/dev\/environment\.yaml:\d+:\d+: invalid YAML/,
  ],
  [
    'an unknown key in environment.yaml',
    (root) => appendFile(join(root, 'overlays/staging/environment.yaml'), 'replicas: 3\n'),
    /^overlays\/staging\/environment\.yaml:2\d:1: unknown key "replicas"/,
  ],
  [
    'a missing pin',
    replaceIn(DEV_IMAGES, /^postgres:[\s\S]*$/m, ''),
    /^overlays\/dev\/images\.yaml:\d+:\d+: app "postgres" uses image "postgres" but dev has no pin for it/,
  ],
  [
    'a pin that is not a reference',
    replaceIn(DEV_IMAGES, 'ghcr.io/acme/web:', 'ghcr.io/Acme/web:'),
    /^overlays\/dev\/images\.yaml:5:10: "ghcr\.io\/Acme\/web:.*" is not a valid image reference/,
  ],
  [
    'a digest that is not 64 hex',
    replaceIn(DEV_IMAGES, /(ml-api:main-[^@]+@sha256:)[a-f0-9]{64}/, '$1abc123'),
    /^overlays\/dev\/images\.yaml:\d+:10: digest "sha256:abc123" .* is not sha256 followed by 64 lowercase hex digits/,
  ],
  [
    'a mutable tag where digests are required',
    replaceIn(PROD_IMAGES, /(postgres:16\.4)@sha256:[a-f0-9]{64}/, '$1'),
    /^overlays\/prod\/images\.yaml:\d+:10: image "postgres\/postgres" has tag "16\.4" without a digest, but prod requires digests/,
  ],
  [
    'two objects with the same kind and name',
    replaceIn('apps/csv-ingestor/src/index.ts', "name: 'csv-ingestor',\n      image", "name: 'web',\n      image"),
    /^apps\/web\/src\/index\.ts:\d+:\d+: apps\/v1 Deployment acme-dev\/web \(app "web", construct web\/Frontend\/Deployment\/Resource\) is emitted twice in dev \(also by app "csv-ingestor"\)/,
  ],
  [
    'an app name that would escape dist/',
    replaceIn('apps/web/src/index.ts', "name: 'web',\n  images", "name: '../x',\n  images"),
    /^apps\/web\/src\/index\.ts:\d+:\d+: app name "\.\.\/x" must be a DNS-1123 label/,
  ],
  [
    'a YAML alias bomb',
    (root) =>
      writeFile(
        join(root, 'overlays/dev/environment.yaml'),
        `${['a: &a [x, x, x, x, x, x, x, x, x]', ...'bcdefgh'.split('').map((l, i) => `${l}: &${l} [${Array(9).fill(`*${'abcdefgh'[i]}`).join(', ')}]`)].join('\n')}\n`,
      ),
    /^overlays\/dev\/environment\.yaml:2:\d+: YAML aliases expand too far/,
  ],
  [
    'a __proto__ key',
    replaceIn(DEV_IMAGES, /^web:\n/m, 'web:\n  __proto__:\n    polluted: true\n'),
    /^overlays\/dev\/images\.yaml:4:3: key "__proto__" is not allowed/,
  ],
  [
    'a value Flux would reformat',
    replaceIn('apps/csv-ingestor/src/index.ts', "BATCH_SIZE: '5000'", "BATCH_SIZE: '5000 🚀'"),
    /^apps\/csv-ingestor\/src\/index\.ts:\d+:\d+: apps\/v1 Deployment acme-dev\/csv-ingestor \(app "csv-ingestor", construct csv-ingestor\/Ingestor\/Deployment\/Resource\) has a value Flux would reformat at spec\.template\.spec\.containers\[0\]\.env\[\d\]\.value: character U\+1F680/,
  ],
  [
    'a port the API server refuses',
    replaceIn('apps/web/src/index.ts', 'port: 3000,', 'port: 70000,'),
    /^apps\/web\/src\/index\.ts:\d+:\d+: apps\/v1 Deployment acme-dev\/web \(app "web", construct web\/Frontend\/Deployment\/Resource\) spec\.template\.spec\.containers\[0\]\.\w+\.httpGet\.port: port 70000 is outside 1-65535/,
  ],
  [
    'a label value the API server refuses',
    replaceIn('apps/csv-ingestor/src/index.ts', "args: ['consume'", "labels: { team: 'data team' },\n      args: ['consume'"),
    /^apps\/csv-ingestor\/src\/index\.ts:\d+:\d+: apps\/v1 Deployment acme-dev\/csv-ingestor .* metadata\.labels\.team: label value "data team" must be/,
  ],
  [
    'a workload that breaks the Pod Security Standard',
    replaceIn(
      'apps/web/src/index.ts',
      'securityContext: { readOnlyRootFilesystem: false,',
      'securityContext: { privileged: true, readOnlyRootFilesystem: false,',
    ),
    /^apps\/web\/src\/index\.ts:\d+:\d+: apps\/v1 Deployment acme-dev\/web .* spec\.template\.spec\.containers\[0\]\.securityContext\.privileged: privileged containers are not allowed \(Pod Security Standard "restricted": Privileged Containers\)/,
  ],
  [
    'an app whose build() throws an Error',
    replaceIn('apps/web/src/index.ts', 'build(chart, env) {', "build(chart, env) {\n    if (env.name === 'dev') throw new Error('dev is not ready');"),
    /^apps\/web\/src\/index\.ts:8:\d+: app "web" failed to build in dev: dev is not ready$/,
  ],
  [
    // dev and prod are staged beside their trees before staging fails: nothing of them may be left.
    'an app that fails in the last environment only, after the others rendered a change',
    both(
      replaceIn('apps/web/src/index.ts', "NEXT_TELEMETRY_DISABLED: '1'", "NEXT_TELEMETRY_DISABLED: '0'"),
      replaceIn(
        'apps/web/src/index.ts',
        'build(chart, env) {',
        "build(chart, env) {\n    if (env.name === 'staging') throw new Error('staging is not ready');",
      ),
    ),
    /^apps\/web\/src\/index\.ts:8:\d+: app "web" failed to build in staging: staging is not ready$/,
  ],
  [
    'an app whose build() throws a string',
    replaceIn('apps/web/src/index.ts', 'build(chart, env) {', "build(chart, env) {\n    throw 'no';"),
    /^apps\/web\/src\/index\.ts:7:3: app "web" failed to build in dev: no$/,
  ],
  [
    'an app that asks for an image it does not declare',
    replaceIn('apps/web/src/index.ts', "image: env.image('web')", "image: env.image('webb')"),
    /^apps\/web\/src\/index\.ts:10:\d+: app "web" failed to build in dev: app "web" uses image "webb" but does not declare it/,
  ],
  [
    'a construct given a value it cannot use',
    replaceIn('apps/jobs-manager/src/index.ts', "schedule: '30 2 * * *'", "schedule: '30 2 * *'"),
    /^apps\/jobs-manager\/src\/index\.ts:\d+:\d+: app "jobs-manager" failed to build in dev: ScheduledJob ".*": schedule "30 2 \* \*" has 4 fields/,
  ],
  [
    'an env value that is not a string',
    replaceIn('apps/csv-ingestor/src/index.ts', "BATCH_SIZE: '5000'", 'BATCH_SIZE: 5000 as unknown as string'),
    /^apps\/csv-ingestor\/src\/index\.ts:\d+:\d+: app "csv-ingestor" failed to build in dev: workload "csv-ingestor": env BATCH_SIZE must be a string, not 5000/,
  ],
  [
    'an app whose module throws when it is imported',
    replaceIn(
      'apps/web/src/index.ts',
      'export default defineApp({',
      "if (process.env.NEVER_SET === undefined) throw new Error('config missing');\nexport default defineApp({",
    ),
    /^apps\/web\/src\/index\.ts:\d+:\d+: app "web" failed to load: config missing$/,
  ],
  [
    'a misspelt construct prop',
    replaceIn('apps/web/src/index.ts', 'host: `www.${env.domain}`', 'hots: `www.${env.domain}`'),
    /^apps\/web\/src\/index\.ts:\d+:\d+: app "web" failed to build in dev: WebService "web": unknown prop "hots" \(did you mean "host"\?\)$/,
  ],
  [
    'an empty writable path',
    replaceIn('apps/postgres/src/index.ts', "writablePaths: ['/tmp', '/var/run/postgresql']", "writablePaths: ['']"),
    /: app "postgres" failed to build in dev: workload "postgres": writablePaths "" is not an absolute path; give folders such as \/tmp/,
  ],
  [
    'a relative writable path',
    replaceIn('apps/postgres/src/index.ts', "writablePaths: ['/tmp', '/var/run/postgresql']", "writablePaths: ['tmp']"),
    /: workload "postgres": writablePaths "tmp" is not an absolute path/,
  ],
  [
    'the root folder as a writable path',
    replaceIn('apps/postgres/src/index.ts', "writablePaths: ['/tmp', '/var/run/postgresql']", "writablePaths: ['/']"),
    /: workload "postgres": writablePaths "\/" is the root folder/,
  ],
  [
    'a writable path named twice',
    replaceIn('apps/postgres/src/index.ts', "writablePaths: ['/tmp', '/var/run/postgresql']", "writablePaths: ['/tmp', '/tmp']"),
    /: workload "postgres": writablePaths "\/tmp" is named twice/,
  ],
  [
    "a writable path on the data volume's mount path",
    replaceIn('apps/postgres/src/index.ts', "writablePaths: ['/tmp', '/var/run/postgresql']", "writablePaths: ['/tmp', '/var/lib/postgresql/data']"),
    /: workload "postgres": writablePaths "\/var\/lib\/postgresql\/data" is already mounted \(the data volume\)/,
  ],
  [
    'an env var name the API server refuses',
    replaceIn('apps/web/src/index.ts', "NODE_ENV: 'production'", "'1 BAD=NAME': 'production'"),
    /^apps\/web\/src\/index\.ts:\d+:\d+: apps\/v1 Deployment acme-dev\/web \(app "web", construct web\/Frontend\/Deployment\/Resource\) spec\.template\.spec\.containers\[0\]\.env\[\d\]\.name: env var name "1 BAD=NAME" must start with a letter/,
  ],
  [
    'an env var name the API server refuses, for a secret',
    replaceIn('apps/csv-ingestor/src/index.ts', 'DATABASE_PASSWORD: env.secret(', "'A=B': env.secret("),
    /: apps\/v1 Deployment acme-dev\/csv-ingestor .*\.env\[\d\]\.name: env var name "A=B" must start with a letter/,
  ],
  [
    'a delivery tool that does not exist',
    replaceIn('overlays/dev/environment.yaml', 'tool: flux', 'tool: argo'),
    /^overlays\/dev\/environment\.yaml:\d+:9: environment\.yaml: delivery\.tool: Invalid option: expected one of "argocd"\|"flux"$/,
  ],
  [
    'a delivery setting of the wrong type',
    replaceIn('overlays/prod/environment.yaml', 'selfHeal: true', 'selfHeal: true\n    automated: "yes"'),
    /^overlays\/prod\/environment\.yaml:\d+:\d+: environment\.yaml: delivery\.argocd\.automated: Invalid input: expected boolean, received string$/,
  ],
  [
    'an Argo CD server that is not an https URL',
    replaceIn('overlays/prod/environment.yaml', 'selfHeal: true', 'selfHeal: true\n    server: "javascript:alert(1)"'),
    /: environment\.yaml: delivery\.argocd\.server: expected the https:\/\/ URL of a Kubernetes API server/,
  ],
  [
    'an Argo CD project that is not a name',
    replaceIn('overlays/prod/environment.yaml', 'selfHeal: true', 'selfHeal: true\n    project: "Team A"'),
    /: environment\.yaml: delivery\.argocd\.project: expected a DNS-1123 label/,
  ],
  [
    'an Argo CD cluster name with a space',
    replaceIn('overlays/prod/environment.yaml', 'selfHeal: true', 'selfHeal: true\n    cluster: "x y"'),
    /: environment\.yaml: delivery\.argocd\.cluster: expected a cluster name as registered in Argo CD/,
  ],
  [
    'Flux delivery without the repository its image automation pushes to',
    replaceIn('overlays/dev/environment.yaml', /^ {2}repository: .*\n/m, ''),
    /^overlays\/dev\/environment\.yaml:\d+:\d+: \d+ pins have an update policy, but Flux image automation has no GitRepository to push to: delivery\.repository is not set$/,
  ],
  [
    'a missing required key',
    replaceIn('overlays/dev/environment.yaml', /^domain: .*\n/m, ''),
    /^overlays\/dev\/environment\.yaml:\d+:1: environment\.yaml: domain: missing$/,
  ],
  [
    'a byte-order mark before images.yaml',
    async (root) => writeFile(join(root, DEV_IMAGES), `\uFEFF${await readFile(join(root, DEV_IMAGES), 'utf8')}`),
    /^overlays\/dev\/images\.yaml:1:1: starts with a byte-order mark; Flux and Manifold write the file back without it$/,
  ],
  [
    'a second YAML document in images.yaml',
    (root) => appendFile(join(root, DEV_IMAGES), '---\nweb: {}\n'),
    /^overlays\/dev\/images\.yaml:\d+:1: a second YAML document starts here; this file holds one$/,
  ],
  [
    'a folder where images.yaml belongs',
    (root) => rm(join(root, DEV_IMAGES)).then(() => mkdir(join(root, DEV_IMAGES))),
    /^overlays\/dev\/images\.yaml:1:1: is a folder, not a file$/,
  ],
  [
    'esc.images naming a pin that does not exist',
    (root) => appendFile(join(root, 'overlays/dev/environment.yaml'), '  images:\n    nope/nope: a.b\n'),
    /^overlays\/dev\/environment\.yaml:\d+:5: esc\.images names "nope\/nope", which is not a pin of dev$/,
  ],
  [
    'an esc.prefix that is not a property path',
    (root) => appendFile(join(root, 'overlays/dev/environment.yaml'), '  prefix: "a..b"\n'),
    /^overlays\/dev\/environment\.yaml:\d+:11: property path "a\.\.b\.web\.web" expects a key at column 3$/,
  ],
  ['a NUL byte in images.yaml', (root) => appendFile(join(root, DEV_IMAGES), 'x: "a\0b"\n'), /^overlays\/dev\/images\.yaml:\d+:6: contains a NUL byte$/],
  [
    'an environment promoted from itself',
    replaceIn('overlays/staging/environment.yaml', 'promotesFrom: dev', 'promotesFrom: staging'),
    /^overlays\/staging\/environment\.yaml:\d+:\d+: staging is promoted from itself$/,
  ],
  [
    'an environment promoted from one that does not exist',
    replaceIn('overlays/staging/environment.yaml', 'promotesFrom: dev', 'promotesFrom: qa'),
    /^overlays\/staging\/environment\.yaml:\d+:\d+: promotesFrom names "qa", which is not an environment$/,
  ],
  [
    'environments promoted from each other',
    replaceIn('overlays/staging/environment.yaml', 'promotesFrom: dev', 'promotesFrom: prod'),
    /^overlays\/prod\/environment\.yaml:\d+:\d+: promotesFrom makes a cycle: prod ← staging ← prod$/,
  ],
];

describe('bad input', () => {
  it.each(cases)('%s: one located line and a hint, exit 2, nothing written', async (_what, edit, expected) => {
    const root = await copyRepository();
    await edit(root);
    const before = await snapshot(root);
    const run = await runManifold(root, ['synth']);
    const [first, second, ...rest] = run.stderr.trimEnd().split('\n');
    expect(first).toMatch(expected);
    expect(second).toMatch(/^ {2}hint: \S/);
    expect(rest).toEqual([]);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(await snapshot(root)).toEqual(before);
  });

  it('refuses an environment argument that would escape dist/', async () => {
    const root = await copyRepository();
    const run = await runManifold(root, ['synth', '../x']);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/^overlays\/\.\.\/x:1:1: environment name "\.\.\/x" is not a DNS-1123 label/);
  });
});
