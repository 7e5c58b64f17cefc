/** The objects that make Argo CD or Flux sync dist/<env>, as synth writes them for the example repository. */
import { execFileSync } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';
import { resourceOf } from '../cli/src/delivery/sync-permissions.ts';
import { copyRepository, editFile, exampleRepository, REPO_ROOT, runManifold } from './temp-repo.ts';

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
      project: 'manifold-prod',
      source: { repoURL: environment.delivery.repository, targetRevision: 'main', path: 'dist/prod' },
      destination: { server: 'https://kubernetes.default.svc', namespace: 'acme-prod' },
      syncPolicy: { automated: { prune: true, selfHeal: true }, syncOptions: ['ServerSideApply=true', 'PruneLast=true'] },
    });
    // Image automation is on in prod too: the GitRepository its ImageUpdateAutomation names is generated.
    const automation = await read('dist/prod/_flux/imageupdateautomation-manifold-prod.yaml');
    expect(built('dist/prod/_delivery').find((object) => object.kind === 'GitRepository')?.metadata.name).toBe(automation.spec.sourceRef.name);
  });

  it('confine Argo CD to the environment: every object of dist/prod is in its project, and nothing else is', () => {
    const project = built('dist/prod/_delivery').find((object) => object.kind === 'AppProject') as Fields;
    expect(project.metadata).toMatchObject({ name: 'manifold-prod', namespace: 'argocd' });
    const admits = (object: Fields) =>
      object.metadata.namespace === undefined
        ? project.spec.clusterResourceWhitelist.some((entry: Fields) => entry.group === groupOf(object.apiVersion) && entry.kind === object.kind)
        : project.spec.destinations.some((destination: Fields) => destination.namespace === object.metadata.namespace);
    const objects = built('dist/prod');
    expect(objects.length).toBeGreaterThan(10);
    for (const object of objects) expect(admits(object), `${object.kind} ${object.metadata.name}`).toBe(true);
    expect(admits({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x', namespace: 'kube-system' } })).toBe(false);
    expect(admits({ apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRoleBinding', metadata: { name: 'x' } })).toBe(false);
    expect(project.spec.sourceRepos).toEqual(['https://github.com/acme/platform.git']);
  });

  it("make Flux impersonate the environment's ServiceAccount, whose roles allow every object of dist/dev and nothing beyond it", () => {
    const delivery = built('dist/dev/_delivery');
    const kustomization = delivery.find((object) => object.kind === 'Kustomization') as Fields;
    expect(kustomization.spec.serviceAccountName).toBe('manifold-dev');
    const can = rbacOf(delivery, { kind: 'ServiceAccount', name: 'manifold-dev', namespace: 'flux-system' });
    const objects = built('dist/dev');
    for (const object of objects) {
      const resource = resourceOf(object.kind);
      for (const verb of ['get', 'patch'])
        expect(
          can(verb, groupOf(object.apiVersion), resource, object.metadata.namespace, object.metadata.name),
          `${verb} ${object.kind} ${object.metadata.name}`,
        ).toBe(true);
    }
    // Nothing beyond the environment: another namespace, Flux's own objects, another Namespace, anything cluster-wide.
    expect(can('create', '', 'configmaps', 'kube-system', 'x')).toBe(false);
    expect(can('get', '', 'secrets', 'flux-system', 'manifold-git')).toBe(false);
    expect(can('patch', 'kustomize.toolkit.fluxcd.io', 'kustomizations', 'flux-system', 'manifold-dev')).toBe(false);
    expect(can('patch', '', 'namespaces', undefined, 'kube-system')).toBe(false);
    expect(can('create', 'rbac.authorization.k8s.io', 'clusterrolebindings', undefined, 'x')).toBe(false);
    // The bootstrap applies the Namespace with the bindings in it.
    expect(delivery.find((object) => object.kind === 'Namespace')?.metadata.name).toBe('acme-dev');
  });

  it("follow the environment's allowed list in both tools", async () => {
    const root = await copyRepository(undefined, { ownCaches: true });
    const allowed = 'allowed:\n  clusterResources:\n    - group: rbac.authorization.k8s.io\n      kind: ClusterRole\n  namespaces: [monitoring]\n';
    for (const env of ['dev', 'prod']) await editFile(join(root, `overlays/${env}/environment.yaml`), (text) => `${text}${allowed}`);
    const synth = await runManifold(root, ['synth']);
    expect(synth.code, synth.stderr).toBe(0);
    const kustomize = (dir: string) =>
      parseAllDocuments(execFileSync('kubectl', ['kustomize', join(root, dir)], { encoding: 'utf8' })).map((document) => document.toJS() as Fields);
    const project = kustomize('dist/prod/_delivery').find((object) => object.kind === 'AppProject') as Fields;
    expect(project.spec.destinations.map((destination: Fields) => destination.namespace)).toEqual(['acme-prod', 'flux-system', 'monitoring']);
    expect(project.spec.clusterResourceWhitelist).toEqual([
      { group: '', kind: 'Namespace' },
      { group: 'rbac.authorization.k8s.io', kind: 'ClusterRole' },
    ]);
    const can = rbacOf(kustomize('dist/dev/_delivery'), { kind: 'ServiceAccount', name: 'manifold-dev', namespace: 'flux-system' });
    expect(can('create', '', 'configmaps', 'monitoring', 'x')).toBe(true);
    expect(can('create', 'rbac.authorization.k8s.io', 'clusterroles', undefined, 'reader')).toBe(true);
    expect(can('create', 'rbac.authorization.k8s.io', 'clusterrolebindings', undefined, 'reader')).toBe(false);
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

/** The API group of an apiVersion ('' for the core group). */
function groupOf(apiVersion: string): string {
  return apiVersion.includes('/') ? (apiVersion.split('/')[0] ?? '') : '';
}

/** Kubernetes' built-in cluster-admin ClusterRole: everything. */
const CLUSTER_ADMIN = { kind: 'ClusterRole', metadata: { name: 'cluster-admin' }, rules: [{ apiGroups: ['*'], resources: ['*'], verbs: ['*'] }] };

/**
 * What `subject` may do under the Roles, ClusterRoles and bindings of `objects` (plus cluster-admin), as
 * the RBAC authorizer decides: a RoleBinding grants its role's rules in its namespace, a
 * ClusterRoleBinding everywhere; a rule matches by group, resource, verb and (if it lists any) name.
 */
function rbacOf(objects: Fields[], subject: { kind: string; name: string; namespace: string }) {
  const roles = [...objects, CLUSTER_ADMIN].filter((object) => object.kind === 'Role' || object.kind === 'ClusterRole');
  const roleOf = (binding: Fields) =>
    roles.find(
      (role) =>
        role.kind === binding.roleRef.kind &&
        role.metadata.name === binding.roleRef.name &&
        (role.kind === 'ClusterRole' || role.metadata.namespace === binding.metadata.namespace),
    );
  const grants = objects
    .filter(
      (object) =>
        (object.kind === 'RoleBinding' || object.kind === 'ClusterRoleBinding') &&
        object.subjects.some((entry: Fields) => entry.kind === subject.kind && entry.name === subject.name && entry.namespace === subject.namespace),
    )
    .flatMap((binding) =>
      (roleOf(binding)?.rules ?? []).map((rule: Fields) => ({ rule, namespace: binding.kind === 'RoleBinding' ? binding.metadata.namespace : undefined })),
    );
  const matches = (list: string[] | undefined, value: string) => (list ?? []).includes('*') || (list ?? []).includes(value);
  return (verb: string, group: string, resource: string, namespace: string | undefined, name: string): boolean =>
    grants.some(
      ({ rule, namespace: where }) =>
        (where === undefined || where === namespace) &&
        matches(rule.apiGroups, group) &&
        matches(rule.resources, resource) &&
        matches(rule.verbs, verb) &&
        (rule.resourceNames === undefined || rule.resourceNames.includes(name)),
    );
}
