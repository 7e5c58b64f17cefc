/** The schema of `overlays/<env>/environment.yaml`. */
import { z } from 'zod';
import { DEFAULT_KUBERNETES_VERSION, KNOWN_KUBERNETES_VERSIONS } from './kubernetes-version.ts';
import { repositoryFile, verifySchema } from './verify-policy.ts';

/** The Pod Security Standards levels, strictest first. */
export const POD_SECURITY_LEVELS = ['restricted', 'baseline', 'privileged'] as const;

/** A Pod Security Standards level. */
export type PodSecurityLevel = (typeof POD_SECURITY_LEVELS)[number];

/** A DNS-1123 label: lowercase alphanumerics and `-`, at most 63 characters. */
export const dnsLabel = z
  .string()
  .max(63)
  .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, 'expected a DNS-1123 label (lowercase letters, digits and "-")');

const hostname = z
  .string()
  .max(253)
  .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/, 'expected a DNS name such as dev.acme.example');

const cpuQuantity = z.string().regex(/^([1-9][0-9]*m|[0-9]+(\.[0-9]{1,3})?)$/, 'expected a CPU quantity such as 250m or 1');

const sizeSchema = z.strictObject({
  replicas: z.number().int().min(0).max(1000).describe('Pod replicas.'),
  cpu: cpuQuantity.describe('CPU request.'),
  cpuLimit: cpuQuantity.optional().describe('CPU limit. Default: none, so a pod may use idle CPU beyond its request.'),
  memory: z
    .string()
    .regex(/^[1-9][0-9]*(Mi|Gi)$/, 'expected a memory quantity such as 512Mi or 2Gi')
    .describe('Memory request and limit.'),
});

const duration = z.string().regex(/^([0-9]+(\.[0-9]+)?(ms|s|m|h))+$/, 'expected a Go duration such as 5m or 1h30m');
const gitBranch = z.string().regex(/^(?!\/|.*\/\/|.*\.\.|.*\/$)[A-Za-z0-9._/-]+$/, 'expected a git branch name');

const fluxSchema = z.strictObject({
  namespace: dnsLabel.default('flux-system').describe('Namespace of the automation and its policies (Flux ignores markers naming any other).'),
  gitRepository: dnsLabel
    .optional()
    .describe(
      'GitRepository (in that namespace) the automation checks out and pushes to; generated with delivery.repository. Default: manifold-<env> (not flux-system, which flux bootstrap owns).',
    ),
  branch: gitBranch.default('main').describe('Branch the automation checks out.'),
  pushBranch: gitBranch
    .optional()
    .describe('Branch Flux pushes its commits to, for a pull request. Default: flux/image-updates/<env>. Set it to `branch` to push directly.'),
  updatePath: z
    .string()
    .regex(/^\.\/([A-Za-z0-9._-]+\/)*$/, 'expected a folder path like ./ or ./deploy/')
    .default('./')
    .describe('Folder Flux scans for markers; must hold both overlays/ and dist/.'),
  interval: duration.default('30m').describe('How often the automation runs.'),
  scanInterval: duration.default('5m').describe('How often each ImageRepository lists tags.'),
  digestInterval: duration.default('10m').describe('How often a policy re-reads the digest of its chosen tag.'),
  registrySecret: dnsLabel.optional().describe('Secret with registry credentials for the ImageRepositories.'),
  author: z
    .strictObject({ name: z.string().min(1).default('fluxcdbot'), email: z.email().default('fluxcdbot@users.noreply.github.com') })
    .default({ name: 'fluxcdbot', email: 'fluxcdbot@users.noreply.github.com' })
    .describe('Commit author of Flux image updates.'),
});

// Pulumi Cloud names (its API's swagger): organization, project and environment.
const escName = z.string().regex(/^[a-zA-Z0-9_.-]{1,100}$/, 'expected letters, digits, "-", "_" and "." (at most 100)');
const escPath = z.string().min(1).max(500).describe('A property path in Pulumi syntax, e.g. pulumiConfig.adapterImage or images["web"].ref.');

/** Where one pin lives in the ESC environment: one property with the whole reference, or a repository (or ref) and a tag. */
const escImageSchema = z.union([
  escPath,
  z.strictObject({
    repository: escPath.describe('Property holding the repository, e.g. ghcr.io/acme/api.'),
    tag: escPath.describe('Property holding the tag.'),
  }),
  z.strictObject({ ref: escPath.describe('Property holding repository:tag (without digest).'), tag: escPath.describe('Property holding the tag.') }),
]);

const admissionSchema = z
  .strictObject({
    engine: z.enum(['kyverno']).describe('The admission controller that enforces the rules: Kyverno (a namespaced kyverno.io/v1 Policy).'),
    format: z
      .enum(['bundle', 'cosign-tag'])
      .default('bundle')
      .describe(
        'Where the cluster looks for signatures: Sigstore bundles as OCI referrers (cosign v3, actions/attest; Kyverno type SigstoreBundle) or the sha256-<hex>.sig tag (Kyverno type Cosign).',
      ),
    failureAction: z.enum(['Enforce', 'Audit']).default('Enforce').describe('Enforce refuses a Pod whose images fail; Audit only reports it.'),
  })
  .describe("The cluster enforces the environment's verify: rules too: synth writes the admission policy into dist/<env>/_policy/.");

/** The validated `admission` settings of an environment. */
export type AdmissionSettings = z.output<typeof admissionSchema>;

const allowedSchema = z
  .strictObject({
    clusterResources: z
      .array(
        z.strictObject({
          group: z
            .string()
            .regex(
              /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*)?$/,
              'expected an API group such as rbac.authorization.k8s.io ("" for the core group)',
            )
            .describe('The API group ("" for the core group).'),
          kind: z
            .string()
            .regex(/^[A-Z][A-Za-z0-9]*$/, 'expected a kind such as ClusterRole')
            .describe('The kind.'),
        }),
      )
      .default([])
      .describe('Cluster-scoped kinds apps may create here (each one reaches beyond the namespace).'),
    namespaces: z.array(dnsLabel).default([]).describe("Namespaces other than the environment's that apps may put objects into."),
  })
  .describe("What apps may create beyond the environment's own namespace: a reviewed exception list (own this file in CODEOWNERS).");

/** The validated `allowed` list of an environment. */
export type AllowedResources = z.output<typeof allowedSchema>;

const escSchema = z.strictObject({
  organization: z
    .string()
    .regex(/^[a-zA-Z0-9][a-zA-Z0-9_-]{1,38}[a-zA-Z0-9]$/, 'expected a Pulumi organization name')
    .describe('Pulumi Cloud organization.'),
  project: escName.describe('ESC project.'),
  environment: escName.describe('ESC environment name.'),
  url: z
    .url({ protocol: /^https?$/ })
    .default('https://api.pulumi.com')
    .describe('Pulumi Cloud API (default), or a self-hosted one over HTTPS that the operator allows in MANIFOLD_ESC_HOSTS.'),
  tokenVariable: z
    .string()
    .regex(/^PULUMI_[A-Z0-9_]+$/, 'expected a PULUMI_* environment variable name (a repository may not choose which other secret is sent)')
    .default('PULUMI_ACCESS_TOKEN')
    .describe('Environment variable holding the access token: a PULUMI_* name.'),
  prefix: escPath.default('manifold.images').describe('Where pins live by default: <prefix>.<app>.<image> holds repository:tag@sha256:….'),
  images: z.record(z.string(), escImageSchema).default({}).describe('Per pin (<app>/<image>), another property or a repository + tag pair.'),
  appEnvironments: z
    .record(dnsLabel, escName)
    .default({})
    .describe("Per app, the ESC environment (in the same project) its secrets are read from, with the app's own token. Default: environment."),
});

const gitUrl = z
  .string()
  .regex(/^(https:\/\/|ssh:\/\/|git@)[^\s]+$/, 'expected a git URL such as https://github.com/acme/platform.git or ssh://git@github.com/acme/platform.git');

const argoCdSchema = z.strictObject({
  namespace: dnsLabel.default('argocd').describe('Namespace Argo CD runs in (where the Application lives).'),
  project: dnsLabel
    .optional()
    .describe(
      "An Argo CD project of your own for the Application. Default: manifold-<env>, generated to confine it to the environment's namespace and allowed list.",
    ),
  server: z
    .url({
      protocol: /^https?$/,
      hostname: z.regexes.hostname,
      error: 'expected the https:// URL of a Kubernetes API server, such as https://kubernetes.default.svc',
    })
    .default('https://kubernetes.default.svc')
    .describe('API server of the target cluster (default: the cluster Argo CD runs in).'),
  cluster: z
    .string()
    .max(253)
    .regex(/^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/, 'expected a cluster name as registered in Argo CD (letters, digits, "-", "_" and ".")')
    .optional()
    .describe('Name of the target cluster as registered in Argo CD, instead of server.'),
  automated: z.boolean().default(true).describe('Sync on every commit.'),
  prune: z.boolean().default(true).describe('Delete objects that are no longer in dist/<env>.'),
  selfHeal: z.boolean().default(true).describe('Undo changes made in the cluster by hand.'),
  syncOptions: z
    .array(z.string().regex(/^[A-Za-z]+=[A-Za-z0-9-]+$/))
    .default(['ServerSideApply=true'])
    .describe('Argo CD sync options.'),
});

const fluxDeliverySchema = z.strictObject({
  interval: duration.default('10m').describe('How often Flux reconciles dist/<env>.'),
  timeout: duration.default('5m').describe('How long one reconciliation may take.'),
  prune: z.boolean().default(true).describe('Delete objects that are no longer in dist/<env>.'),
  wait: z.boolean().default(true).describe('Wait for every object to be ready (health checks) before reporting success.'),
  kubeConfigSecret: dnsLabel.optional().describe('Secret with a kubeconfig, to apply to another cluster.'),
});

const deliverySchema = z.strictObject({
  tool: z.enum(['argocd', 'flux']).default('argocd').describe('Which GitOps tool syncs dist/<env>.'),
  repository: gitUrl.optional().describe('This repository as the cluster clones it; sync objects are generated only with it.'),
  branch: gitBranch.default('main').describe('Branch the cluster follows.'),
  gitSecret: dnsLabel
    .default('manifold-git')
    .describe('Secret (in the Flux namespace) with read access to the repository, and push access when Flux image automation is on.'),
  argocd: argoCdSchema.default(argoCdSchema.parse({})).describe('Settings of the Argo CD Application.'),
  flux: fluxDeliverySchema.default(fluxDeliverySchema.parse({})).describe('Settings of the Flux Kustomization.'),
});

/** `overlays/<env>/environment.yaml` as written by people. */
export const environmentSchema = z
  .strictObject({
    namespace: dnsLabel.describe('Namespace of every object in this environment.'),
    domain: hostname.describe('Base DNS domain; apps derive their hosts from it.'),
    requireDigests: z.boolean().optional().describe('Refuse pins without @sha256 digests. Default: true for an environment named prod, else false.'),
    delivery: z
      .union([z.enum(['argocd', 'flux']), deliverySchema])
      .default('argocd')
      .describe('Which GitOps tool syncs dist/<env> and, with a repository, the objects that make it do so.'),
    kubernetesVersion: z
      .enum(KNOWN_KUBERNETES_VERSIONS, {
        error: `expected a Kubernetes release Manifold knows, quoted ("${KNOWN_KUBERNETES_VERSIONS[0]}" to "${KNOWN_KUBERNETES_VERSIONS.at(-1)}"; unquoted, 1.30 reads as the number 1.3)`,
      })
      .default(DEFAULT_KUBERNETES_VERSION)
      .describe('The Kubernetes release the environment deploys to: objects of API versions it does not serve are refused at synth.'),
    podSecurity: z
      .enum(POD_SECURITY_LEVELS)
      .default('restricted')
      .describe('Pod Security Standard every workload must meet before synth writes it (as the namespace enforces it).'),
    apps: z.array(dnsLabel).optional().describe('Apps deployed here. Default: every app under apps/.'),
    promotesFrom: dnsLabel.optional().describe('The environment whose pins are promoted into this one (pnpm images compares them).'),
    sizes: z.record(dnsLabel, sizeSchema).describe('Replicas and resources per size class.'),
    flux: fluxSchema.default(fluxSchema.parse({})).describe('Flux image automation for the pins that have an update policy.'),
    esc: escSchema.optional().describe("The Pulumi ESC environment this environment's pins are pulled from and pushed to."),
    allowed: allowedSchema.default({ clusterResources: [], namespaces: [] }),
    verify: verifySchema.optional(),
    admission: admissionSchema.optional(),
    requireVerified: z.boolean().default(false).describe('Refuse a pin whose image no verify: rule covers (for production).'),
    trustedRoot: repositoryFile('.json', 'sigstore/trusted_root.json')
      .optional()
      .describe('The Sigstore trusted root (Fulcio, Rekor, CT log and timestamp keys) signatures are checked against: a file in the repository.'),
  })
  .describe('One Manifold environment.');

/** The validated `delivery` settings of an environment, in their block form. */
export type DeliverySettings = z.output<typeof deliverySchema>;
/** The `delivery` block a bare `delivery: argocd|flux` stands for. */
export function deliveryBlock(delivery: z.output<typeof environmentSchema>['delivery']): DeliverySettings {
  return typeof delivery === 'string' ? deliverySchema.parse({ tool: delivery }) : delivery;
}
/** The validated `esc` settings of an environment. */
export type EscSettings = z.output<typeof escSchema>;

/** The validated `flux` settings of an environment. */
export type FluxSettings = z.output<typeof fluxSchema>;
