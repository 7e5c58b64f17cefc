/**
 * The OpenAPI schemas objects are validated against: built-in Kubernetes kinds from
 * `kubernetes-models` 5 (which API versions an environment's Kubernetes serves is kubernetes-versions.ts'
 * concern), the Flux, Argo CD and External Secrets kinds Manifold
 * generates (`@kubernetes-models/flux-cd`, `argo-cd`, `external-secrets`), and CRDs a user adds
 * under `schemas/` (compiled with ajv).
 */
import { createHash } from 'node:crypto';
import type { ErrorObject, ValidateFunction } from 'ajv';

/** One schema violation: the JSON path of the field and what is wrong with it. */
export interface SchemaViolation {
  /** Dotted path inside the object, e.g. `spec.template.spec.containers[0].image`. */
  readonly path: string;
  readonly message: string;
}

/** Validates one object of a known kind; returns its violations (empty when valid). */
export type ObjectSchema = (object: unknown) => SchemaViolation[];

interface ValidatingModel {
  validate(): void;
}
// biome-ignore lint/suspicious/noExplicitAny: each model takes its own kind's shape; objects are checked at run time.
type ModelClass = (new (data: any) => ValidatingModel) & { readonly prototype: ValidatingModel };
type ModelLoader = () => Promise<ModelClass>;

/**
 * Kinds with a schema, by `apiVersion/kind`. Each entry is a static import so the bundler includes
 * exactly these validators; a kind missing here renders without schema validation (like a CRD).
 */
const MODELS: Readonly<Record<string, ModelLoader>> = {
  'v1/ConfigMap': async () => (await import('kubernetes-models/v1/ConfigMap')).ConfigMap,
  'v1/Secret': async () => (await import('kubernetes-models/v1/Secret')).Secret,
  'v1/Service': async () => (await import('kubernetes-models/v1/Service')).Service,
  'v1/ServiceAccount': async () => (await import('kubernetes-models/v1/ServiceAccount')).ServiceAccount,
  'v1/Namespace': async () => (await import('kubernetes-models/v1/Namespace')).Namespace,
  'v1/PersistentVolumeClaim': async () => (await import('kubernetes-models/v1/PersistentVolumeClaim')).PersistentVolumeClaim,
  'v1/Pod': async () => (await import('kubernetes-models/v1/Pod')).Pod,
  'v1/LimitRange': async () => (await import('kubernetes-models/v1/LimitRange')).LimitRange,
  'v1/ResourceQuota': async () => (await import('kubernetes-models/v1/ResourceQuota')).ResourceQuota,
  'apps/v1/Deployment': async () => (await import('kubernetes-models/apps/v1/Deployment')).Deployment,
  'apps/v1/StatefulSet': async () => (await import('kubernetes-models/apps/v1/StatefulSet')).StatefulSet,
  'apps/v1/DaemonSet': async () => (await import('kubernetes-models/apps/v1/DaemonSet')).DaemonSet,
  'batch/v1/Job': async () => (await import('kubernetes-models/batch/v1/Job')).Job,
  'batch/v1/CronJob': async () => (await import('kubernetes-models/batch/v1/CronJob')).CronJob,
  'networking.k8s.io/v1/Ingress': async () => (await import('kubernetes-models/networking.k8s.io/v1/Ingress')).Ingress,
  'networking.k8s.io/v1/NetworkPolicy': async () => (await import('kubernetes-models/networking.k8s.io/v1/NetworkPolicy')).NetworkPolicy,
  'policy/v1/PodDisruptionBudget': async () => (await import('kubernetes-models/policy/v1/PodDisruptionBudget')).PodDisruptionBudget,
  'autoscaling/v2/HorizontalPodAutoscaler': async () => (await import('kubernetes-models/autoscaling/v2/HorizontalPodAutoscaler')).HorizontalPodAutoscaler,
  'rbac.authorization.k8s.io/v1/Role': async () => (await import('kubernetes-models/rbac.authorization.k8s.io/v1/Role')).Role,
  'rbac.authorization.k8s.io/v1/RoleBinding': async () => (await import('kubernetes-models/rbac.authorization.k8s.io/v1/RoleBinding')).RoleBinding,
  'rbac.authorization.k8s.io/v1/ClusterRole': async () => (await import('kubernetes-models/rbac.authorization.k8s.io/v1/ClusterRole')).ClusterRole,
  'rbac.authorization.k8s.io/v1/ClusterRoleBinding': async () =>
    (await import('kubernetes-models/rbac.authorization.k8s.io/v1/ClusterRoleBinding')).ClusterRoleBinding,
  'external-secrets.io/v1/SecretStore': async () => (await import('@kubernetes-models/external-secrets/external-secrets.io/v1/SecretStore')).SecretStore,
  'external-secrets.io/v1/ExternalSecret': async () =>
    (await import('@kubernetes-models/external-secrets/external-secrets.io/v1/ExternalSecret')).ExternalSecret,
  'kyverno.io/v1/Policy': async () => (await import('@kubernetes-models/kyverno/kyverno.io/v1/Policy')).Policy,
  'argoproj.io/v1alpha1/Application': async () => (await import('@kubernetes-models/argo-cd/argoproj.io/v1alpha1/Application')).Application,
  'argoproj.io/v1alpha1/AppProject': async () => (await import('@kubernetes-models/argo-cd/argoproj.io/v1alpha1/AppProject')).AppProject,
  'source.toolkit.fluxcd.io/v1/GitRepository': async () => (await import('@kubernetes-models/flux-cd/source.toolkit.fluxcd.io/v1/GitRepository')).GitRepository,
  'kustomize.toolkit.fluxcd.io/v1/Kustomization': async () =>
    (await import('@kubernetes-models/flux-cd/kustomize.toolkit.fluxcd.io/v1/Kustomization')).Kustomization,
  'image.toolkit.fluxcd.io/v1/ImageRepository': async () =>
    (await import('@kubernetes-models/flux-cd/image.toolkit.fluxcd.io/v1/ImageRepository')).ImageRepository,
  'image.toolkit.fluxcd.io/v1/ImagePolicy': async () => (await import('@kubernetes-models/flux-cd/image.toolkit.fluxcd.io/v1/ImagePolicy')).ImagePolicy,
  'image.toolkit.fluxcd.io/v1/ImageUpdateAutomation': async () =>
    (await import('@kubernetes-models/flux-cd/image.toolkit.fluxcd.io/v1/ImageUpdateAutomation')).ImageUpdateAutomation,
};

/** Whether `kind` (`apiVersion/kind`) is one Manifold validates against a schema of its own. */
export function hasBuiltInSchema(kind: string): boolean {
  return Object.hasOwn(MODELS, kind);
}

/** The kinds that have a built-in schema, as `apiVersion/kind`. */
export const BUILT_IN_SCHEMA_KINDS: readonly string[] = Object.keys(MODELS);

/** A CRD's schema for one served version, from a user's `schemas/` folder. */
export interface CrdSchema {
  /** `group/version/kind`. */
  readonly kind: string;
  /** The version's `schema.openAPIV3Schema`. */
  readonly openApiSchema: object;
  /** True when the CRD's objects are cluster-scoped (`spec.scope: Cluster`). */
  readonly clusterScoped?: boolean;
}

/** Schemas by `apiVersion/kind`, loaded once per run. */
export class ObjectSchemas {
  private readonly schemas = new Map<string, ObjectSchema>();
  private crdsCompiled = false;
  /** A hash of the user's CRD schemas: verdicts remembered under other schemas do not apply. */
  readonly digest: string;

  /** The user's cluster-scoped CRD kinds, as `group/Kind`. */
  readonly clusterScopedCrds: ReadonlySet<string>;

  private constructor(private readonly crds: readonly CrdSchema[]) {
    this.digest = createHash('sha256').update(JSON.stringify(crds)).digest('hex');
    this.clusterScopedCrds = new Set(crds.filter((crd) => crd.clusterScoped).map((crd) => crd.kind.replace(/\/[^/]+\/([^/]+)$/, '/$1')));
  }

  /** Schemas for the user's CRDs and the built-in kinds, none loaded yet: {@link prepare} loads what a run needs. */
  static deferred(crds: readonly CrdSchema[] = []): ObjectSchemas {
    return new ObjectSchemas(crds);
  }

  /** Schemas with every built-in kind (or `kinds`) loaded and the CRDs compiled. */
  static async load(crds: readonly CrdSchema[] = [], kinds: Iterable<string> = BUILT_IN_SCHEMA_KINDS): Promise<ObjectSchemas> {
    const schemas = new ObjectSchemas(crds);
    await schemas.prepare(kinds);
    return schemas;
  }

  /** Loads the validators of `kinds` (`apiVersion/kind`) not loaded yet, and compiles the CRD schemas once. */
  async prepare(kinds: Iterable<string>): Promise<void> {
    const missing = [...new Set(kinds)].filter((kind) => !this.schemas.has(kind) && MODELS[kind]);
    await Promise.all(
      missing.map(async (kind) => {
        this.schemas.set(kind, modelSchema(await (MODELS[kind] as ModelLoader)()));
      }),
    );
    if (this.crds.length > 0 && !this.crdsCompiled) {
      // Loaded only when a repository has CRD schemas: most runs never need a JSON Schema compiler.
      // ajv is CommonJS: bundled and native ESM both give its module object as the default export (a named import is not there when bundled).
      const { Ajv } = (await import('ajv')).default;
      const ajv = new Ajv({ strict: false, allErrors: true, validateFormats: false });
      for (const crd of this.crds) this.schemas.set(crd.kind, ajvSchema(ajv.compile(crd.openApiSchema)));
      this.crdsCompiled = true;
    }
  }

  /** The schema for `apiVersion`/`kind` (prepared), or undefined for a kind nobody described. */
  schemaOf(apiVersion: string, kind: string): ObjectSchema | undefined {
    return this.schemas.get(`${apiVersion}/${kind}`);
  }
}

function modelSchema(Model: ModelClass): ObjectSchema {
  // The model's validate() checks `this`; calling it on the plain object spares a deep copy per object.
  const validate = Model.prototype.validate;
  return (object) => {
    try {
      validate.call(object);
      return [];
    } catch (error) {
      const errors = (error as { errors?: ErrorObject[] }).errors;
      if (!Array.isArray(errors)) throw error;
      return explain(errors);
    }
  };
}

function ajvSchema(validate: ValidateFunction): ObjectSchema {
  return (object) => (validate(object) ? [] : explain(validate.errors ?? []));
}

/** Most telling first: of the errors at one field, a format or enum says more than the branches of a oneOf. */
const KEYWORD_RANK = ['format', 'enum', 'required', 'additionalProperties', 'minimum', 'maximum', 'pattern'];

function explain(errors: readonly ErrorObject[]): SchemaViolation[] {
  const rank = (error: ErrorObject): number => {
    const index = KEYWORD_RANK.indexOf(error.keyword);
    return error.keyword === 'oneOf' || error.keyword === 'anyOf' ? 99 : index < 0 ? KEYWORD_RANK.length : index;
  };
  const sorted = errors
    .map((error, order) => ({ error, order }))
    .sort((a, b) => {
      if (a.error.instancePath !== b.error.instancePath) return a.order - b.order;
      return rank(a.error) - rank(b.error) || a.order - b.order;
    });
  return sorted.map(({ error }) => toViolation(error));
}

function toViolation(error: ErrorObject): SchemaViolation {
  const path = jsonPathOf(error.instancePath);
  const params = error.params as Record<string, unknown>;
  if (error.keyword === 'required') return { path: joinPath(path, String(params.missingProperty)), message: 'is required' };
  if (error.keyword === 'enum')
    return { path, message: `must be one of ${(params.allowedValues as unknown[]).map((value) => JSON.stringify(value)).join(', ')}` };
  if (error.keyword === 'format' && params.format === 'quantity') return { path, message: 'must be a Kubernetes quantity (e.g. 250m, 1, 512Mi, 2Gi)' };
  if (error.keyword === 'additionalProperties') return { path: joinPath(path, String(params.additionalProperty)), message: 'is not a field of this kind' };
  return { path, message: error.message ?? `fails ${error.keyword}` };
}

/** `/spec/containers/0/image` → `spec.containers[0].image`. */
function jsonPathOf(pointer: string): string {
  let path = '';
  for (const raw of pointer.split('/').slice(1)) {
    const segment = raw.replaceAll('~1', '/').replaceAll('~0', '~');
    path = /^[0-9]+$/.test(segment) ? `${path}[${segment}]` : joinPath(path, segment);
  }
  return path;
}

/** `path` extended by `key`: `a.b`, or `a["b/c"]` for a key that is not an identifier. */
export function joinPath(path: string, key: string): string {
  const segment = /^[A-Za-z_$][\w$-]*$/.test(key) ? key : `[${JSON.stringify(key)}]`;
  if (segment.startsWith('[')) return `${path}${segment}`;
  return path === '' ? segment : `${path}.${segment}`;
}
