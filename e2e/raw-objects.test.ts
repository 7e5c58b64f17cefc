/** Objects an app writes itself (cdk8s ApiObject) that the API server or the repository's rules refuse. */
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { widgetCrd } from './fixtures/widget-crd.ts';
import { addRawObjectsApp, copyRepository, editFile, runManifold, snapshot } from './temp-repo.ts';

const pod = (containers: object[]) => ({ metadata: { labels: { app: 'raw' } }, spec: { containers } });
const deployment = (name: string, template: object, selector: object = { app: 'raw' }) => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name },
  spec: { selector: { matchLabels: selector }, template },
});
/** A container that meets the Pod Security Standard "restricted", so only the rule under test can refuse it. */
const container = (name: string, image = `ghcr.io/acme/raw:1.0.0@sha256:${'d'.repeat(64)}`) => ({
  name,
  image,
  securityContext: { allowPrivilegeEscalation: false, runAsNonRoot: true, capabilities: { drop: ['ALL'] }, seccompProfile: { type: 'RuntimeDefault' } },
});

const cases: [string, object, RegExp][] = [
  [
    'a Secret with literal data (it would be committed to git)',
    { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'db' }, stringData: { password: 'hunter2' } },
    /^apps\/raw\/src\/index\.ts:\d+:\d+: v1 Secret acme-dev\/db \(app "raw", construct raw\/Object0\) stringData: a Secret with literal stringData would put its values into git\n {2}hint: read secrets from Pulumi ESC instead/,
  ],
  [
    'an image without tag or digest where digests are required',
    deployment('raw', pod([container('raw', 'nginx')])),
    /^apps\/raw\/src\/index\.ts:\d+:\d+: apps\/v1 Deployment acme-prod\/raw \(app "raw", construct raw\/Object0\) spec\.template\.spec\.containers\[0\]\.image: image "nginx" has no digest, but prod requires digests\n {2}hint: declare the image in the app's images/,
  ],
  [
    'a ConfigMap data key the API server refuses',
    { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'settings' }, data: { 'bad key/x': '1' } },
    /\) data\["bad key\/x"\]: key "bad key\/x" must hold only letters, digits, "-", "_" and "\." \(at most 253\)/,
  ],
  [
    "a Deployment whose selector does not match its pods' labels",
    deployment('raw', pod([container('raw')]), { app: 'other' }),
    /\) spec\.selector\.matchLabels: selector app=other does not match the pod template's labels \(app=raw\)/,
  ],
  [
    'two containers with one name',
    deployment('raw', pod([container('main'), container('main')])),
    /\) spec\.template\.spec\.containers\[1\]\.name: container name "main" is used twice in one pod/,
  ],
];

describe('objects an app writes itself', () => {
  it.each(cases)('%s: refused at the app line, exit 2, nothing written', async (_what, object, expected) => {
    const root = await copyRepository();
    await addRawObjectsApp(root, 'raw', [object]);
    const before = await snapshot(root);
    const run = await runManifold(root, ['synth']);
    expect(run.stderr).toMatch(expected);
    expect(run.stderr.trimEnd().split('\n')).toHaveLength(2);
    expect(run.code).toBe(2);
    expect(await snapshot(root)).toEqual(before);
  });

  it('renders the same objects when they are right', async () => {
    const root = await copyRepository();
    await addRawObjectsApp(root, 'raw', [
      { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'settings' }, data: { 'log.level': 'info' } },
      deployment('raw', pod([container('main'), container('sidecar')])),
    ]);
    const run = await runManifold(root, ['synth']);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('write  dist/prod/raw/deployment-raw.yaml');
  });
});

describe('what an environment may contain', () => {
  const bindingToAdmin = {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'ClusterRoleBinding',
    metadata: { name: 'default-admin' },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'cluster-admin' },
    subjects: [{ kind: 'ServiceAccount', name: 'default', namespace: 'acme-dev' }],
  };
  const foreign = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'settings', namespace: 'kube-system' }, data: { a: '1' } };
  const privileged = { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'acme-dev', labels: { 'pod-security.kubernetes.io/enforce': 'privileged' } } };
  const widget = { apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w' }, spec: { size: 1 } };

  /** Synth of dev with app `raw` emitting `objects`, `allowed` (YAML) added to dev's environment.yaml. */
  async function synthWith(objects: object[], allowed = '', crd = false) {
    const root = await copyRepository();
    await addRawObjectsApp(root, 'raw', objects);
    if (crd) {
      await mkdir(join(root, 'schemas'));
      await writeFile(join(root, 'schemas/widgets.yaml'), widgetCrd('Cluster'));
    }
    if (allowed) await editFile(join(root, 'overlays/dev/environment.yaml'), (text) => `${text}${allowed}`);
    return { root, run: await runManifold(root, ['synth', 'dev']) };
  }

  it.each([
    [
      'a ClusterRoleBinding to cluster-admin',
      bindingToAdmin,
      false,
      /^apps\/raw\/src\/index\.ts:\d+:\d+: rbac\.authorization\.k8s\.io\/v1 ClusterRoleBinding \S*default-admin \(app "raw", construct raw\/Object0\) is cluster-scoped: it would reach beyond dev's namespace acme-dev\n {2}hint: if the platform team means it, add \{ group: "rbac\.authorization\.k8s\.io", kind: ClusterRoleBinding \} to allowed\.clusterResources in overlays\/dev\/environment\.yaml/,
    ],
    [
      'a ConfigMap in kube-system',
      foreign,
      false,
      /^apps\/raw\/src\/index\.ts:\d+:\d+: v1 ConfigMap kube-system\/settings \(app "raw", construct raw\/Object0\) is in namespace kube-system, not in dev's namespace acme-dev\n {2}hint: leave metadata\.namespace unset/,
    ],
    [
      "the environment's own Namespace, relabelled privileged",
      privileged,
      false,
      /v1 Namespace \S*acme-dev \(app "raw", construct raw\/Object0\) is dev's own Namespace, which Manifold generates/,
    ],
    ['a custom resource its CRD declares cluster-scoped', widget, true, /example\.com\/v1 Widget \S*w \(app "raw", construct raw\/Object0\) is cluster-scoped/],
  ])('refuses %s at the app line, writing nothing', async (_what, object, crd, expected) => {
    const { run, root } = await synthWith([object], '', crd);
    expect(run.stderr).toMatch(expected);
    expect(run.code).toBe(2);
    await expect(readdir(join(root, 'dist/dev/raw'))).rejects.toThrow(/ENOENT/);
  });

  it('admits exactly what the allowed list names', async () => {
    const allowed = 'allowed:\n  clusterResources:\n    - group: rbac.authorization.k8s.io\n      kind: ClusterRoleBinding\n  namespaces: [kube-system]\n';
    const admitted = await synthWith([bindingToAdmin, foreign], allowed);
    expect(admitted.run.stderr).toBe('');
    expect(admitted.run.code).toBe(0);
    expect(await readdir(join(admitted.root, 'dist/dev/raw'))).toEqual(['clusterrolebinding-default-admin.yaml', 'configmap-settings.kube-system.yaml']);
    // A cluster-scoped object carries no namespace, though its chart has one.
    expect(await readFile(join(admitted.root, 'dist/dev/raw/clusterrolebinding-default-admin.yaml'), 'utf8')).not.toMatch(/^ {2}namespace:/m);
    // Another kind of the same group, or another namespace, is still refused.
    const role = { ...bindingToAdmin, kind: 'ClusterRole', metadata: { name: 'reader' }, rules: [] };
    expect((await synthWith([role], allowed)).run.stderr).toContain('ClusterRole ');
    const elsewhere = { ...foreign, metadata: { name: 'settings', namespace: 'kube-public' } };
    expect((await synthWith([elsewhere], allowed)).run.stderr).toContain('is in namespace kube-public');
  });
});

describe("an app's secrets", () => {
  const reading = (name: string) =>
    deployment('raw', pod([{ ...container('raw'), env: [{ name: 'TOKEN', valueFrom: { secretKeyRef: { name, key: 'PULUMI_ACCESS_TOKEN' } } }] }]));

  it.each([
    [
      "another app's ESC secrets",
      reading('csv-ingestor-esc'),
      /spec\.template\.spec\.containers\[0\]\.env\[0\]\.valueFrom\.secretKeyRef\.name: reads the Secret csv-ingestor-esc, which is not app "raw"'s own/,
    ],
    ["an app's ESC token", reading('pulumi-esc-token-csv-ingestor'), /reads the Secret pulumi-esc-token-csv-ingestor, which is not app "raw"'s own/],
    [
      'a SecretStore of its own, pointed at ESC',
      {
        apiVersion: 'external-secrets.io/v1',
        kind: 'SecretStore',
        metadata: { name: 'mine' },
        spec: {
          provider: {
            pulumi: {
              organization: 'acme',
              project: 'platform',
              environment: 'dev',
              accessToken: { secretRef: { name: 'pulumi-esc-token-csv-ingestor', key: 'PULUMI_ACCESS_TOKEN' } },
            },
          },
        },
      },
      /SecretStore .*mine \(app "raw", construct raw\/Object0\) kind: an app may not write External Secrets objects itself/,
    ],
  ])('may not reach %s', async (_what, object, expected) => {
    const root = await copyRepository();
    await addRawObjectsApp(root, 'raw', [object]);
    const run = await runManifold(root, ['synth', 'dev']);
    expect(run.stderr).toMatch(/^apps\/raw\/src\/index\.ts:\d+:\d+: /);
    expect(run.stderr).toMatch(expected);
    expect(run.code).toBe(2);
  });

  it('may read a Secret it writes itself', async () => {
    const root = await copyRepository();
    const own = {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'raw-sa-token', annotations: { 'kubernetes.io/service-account.name': 'default' } },
      type: 'kubernetes.io/service-account-token',
    };
    await addRawObjectsApp(root, 'raw', [own, reading('raw-sa-token')]);
    const run = await runManifold(root, ['synth', 'dev']);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
  });
});

describe("an environment's kubernetesVersion", () => {
  const flowSchema = {
    apiVersion: 'flowcontrol.apiserver.k8s.io/v1beta3',
    kind: 'FlowSchema',
    metadata: { name: 'raw' },
    spec: { priorityLevelConfiguration: { name: 'x' } },
  };
  const claim = { apiVersion: 'resource.k8s.io/v1', kind: 'ResourceClaim', metadata: { name: 'gpu' }, spec: { devices: {} } };
  const cronJobBeta = { apiVersion: 'batch/v1beta1', kind: 'CronJob', metadata: { name: 'nightly' }, spec: { schedule: '0 3 * * *' } };

  /** Synth of dev (others keep their default) with `objects`, dev deploying to `version` (as written in YAML). */
  async function synthWith(objects: object[], version?: string) {
    const root = await copyRepository();
    await addRawObjectsApp(root, 'raw', objects);
    // FlowSchema is cluster-scoped: the environment must allow it first.
    const allowed = 'allowed:\n  clusterResources:\n    - group: flowcontrol.apiserver.k8s.io\n      kind: FlowSchema\n';
    await editFile(join(root, 'overlays/dev/environment.yaml'), (text) => `${text}${allowed}${version === undefined ? '' : `kubernetesVersion: ${version}\n`}`);
    return runManifold(root, ['synth', 'dev']);
  }

  it.each([
    [
      'an API version removed before the default 1.28',
      [cronJobBeta],
      undefined,
      /batch\/v1beta1 CronJob acme-dev\/nightly .* apiVersion: Kubernetes 1\.28 does not serve batch\/v1beta1 CronJob: it was removed in 1\.25/,
    ],
    [
      'an API version the release does not serve yet',
      [claim],
      '"1.33"',
      /apiVersion: Kubernetes 1\.33 does not serve resource\.k8s\.io\/v1 ResourceClaim yet: it is served from 1\.34/,
    ],
    [
      'an API version the release no longer serves',
      [flowSchema],
      '"1.32"',
      /apiVersion: Kubernetes 1\.32 does not serve flowcontrol\.apiserver\.k8s\.io\/v1beta3 FlowSchema: it was removed in 1\.32/,
    ],
  ])('refuses %s, at the app line', async (_what, objects, version, expected) => {
    const run = await synthWith(objects, version);
    expect(run.stderr).toMatch(/^apps\/raw\/src\/index\.ts:\d+:\d+: /);
    expect(run.stderr).toMatch(expected);
    expect(run.stderr).toMatch(/hint: emit an API version Kubernetes 1\.\d+ serves, or set kubernetesVersion/);
    expect(run.code).toBe(2);
  });

  it('accepts what the release serves', async () => {
    expect((await synthWith([flowSchema])).code).toBe(0);
    expect((await synthWith([claim], '"1.34"')).code).toBe(0);
  });

  it.each([
    ['a release Manifold does not know', '"1.99"'],
    ['an unquoted version YAML reads as a number', '1.30'],
  ])('refuses %s in environment.yaml, naming the line', async (_what, version) => {
    const run = await synthWith([], version);
    expect(run.stderr).toMatch(
      /^overlays\/dev\/environment\.yaml:\d+:\d+: environment\.yaml: kubernetesVersion: expected a Kubernetes release Manifold knows, quoted \("1\.28" to "1\.35"/,
    );
    expect(run.code).toBe(2);
  });
});
