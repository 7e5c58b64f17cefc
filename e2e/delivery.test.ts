/** The objects that make Argo CD or Flux sync dist/<env>, as synth writes them for the example repository. */
import { execFileSync } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';
import { exampleRepository, REPO_ROOT } from './temp-repo.ts';

// biome-ignore lint/suspicious/noExplicitAny: the tests read parsed manifests freely.
type Fields = Record<string, any>;

const read = async (path: string): Promise<Fields> => parse(await readFile(join(exampleRepository(), path), 'utf8')) as Fields;
const built = (dir: string): Fields[] =>
  parseAllDocuments(execFileSync('kubectl', ['kustomize', join(exampleRepository(), dir)], { encoding: 'utf8' })).map((document) => document.toJS() as Fields);

describe('delivery objects', () => {
  it('make Flux sync dist/dev from the repository the image automation pushes to', async () => {
    const environment = await read('overlays/dev/environment.yaml');
    const objects = built('dist/dev/_delivery');
    const source = objects.find((object) => object.kind === 'GitRepository');
    const kustomization = objects.find((object) => object.kind === 'Kustomization');
    expect(source?.spec).toMatchObject({ url: environment.delivery.repository, ref: { branch: 'main' }, secretRef: { name: 'manifold-git' } });
    expect(kustomization?.spec).toMatchObject({
      path: './dist/dev',
      prune: true,
      wait: true,
      sourceRef: { kind: 'GitRepository', name: source?.metadata.name },
    });
    const automation = await read('dist/dev/_flux/imageupdateautomation-manifold-dev.yaml');
    expect(automation.spec.sourceRef).toEqual({ kind: 'GitRepository', name: source?.metadata.name, namespace: source?.metadata.namespace });
    expect(automation.spec.git.checkout.ref.branch).toBe(source?.spec.ref.branch);
    // The image-update workflow runs on exactly the branch the automation pushes to.
    const workflow = await readFile(join(REPO_ROOT, '.github/workflows/flux-image-updates.yml'), 'utf8');
    expect(automation.spec.git.push.branch).toBe('flux/image-updates/dev');
    expect(workflow).toContain("branches: ['flux/image-updates/**']");
  });

  it('make Argo CD sync dist/prod from the same repository and branch, with the sync policy asked for', async () => {
    const environment = await read('overlays/prod/environment.yaml');
    const [application] = built('dist/prod/_delivery').filter((object) => object.kind === 'Application');
    expect(application?.metadata).toMatchObject({ name: 'manifold-prod', namespace: 'argocd' });
    expect(application?.spec).toEqual({
      project: 'default',
      source: { repoURL: environment.delivery.repository, targetRevision: 'main', path: 'dist/prod' },
      destination: { server: 'https://kubernetes.default.svc', namespace: 'acme-prod' },
      syncPolicy: { automated: { prune: true, selfHeal: true }, syncOptions: ['ServerSideApply=true', 'PruneLast=true'] },
    });
    // Image automation is on in prod too: the GitRepository its ImageUpdateAutomation names is generated.
    const automation = await read('dist/prod/_flux/imageupdateautomation-manifold-prod.yaml');
    expect(built('dist/prod/_delivery').find((object) => object.kind === 'GitRepository')?.metadata.name).toBe(automation.spec.sourceRef.name);
  });

  it('are applied once, never by the sync they set up, and every environment starts with its Namespace', () => {
    for (const env of ['dev', 'staging', 'prod']) {
      const objects = built(`dist/${env}`);
      expect(objects.some((object) => ['Application', 'Kustomization', 'GitRepository'].includes(object.kind))).toBe(false);
      const namespace = objects.find((object) => object.kind === 'Namespace');
      expect(namespace?.metadata).toMatchObject({ name: `acme-${env}`, annotations: { 'argocd.argoproj.io/sync-wave': '-1' } });
      expect(namespace?.metadata.labels['pod-security.kubernetes.io/enforce']).toBe('restricted');
      expect(objects[0]?.kind).toBe('Namespace');
    }
  });
});
