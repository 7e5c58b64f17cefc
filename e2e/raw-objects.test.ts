/** Objects an app writes itself (cdk8s ApiObject) that the API server or the repository's rules refuse. */
import { describe, expect, it } from 'vitest';
import { addRawObjectsApp, copyRepository, runManifold, snapshot } from './temp-repo.ts';

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
