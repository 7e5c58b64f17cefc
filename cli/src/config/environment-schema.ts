/** The schema of `overlays/<env>/environment.yaml`. */
import { z } from 'zod';

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
  gitRepository: dnsLabel.default('flux-system').describe('GitRepository (in that namespace) the automation checks out and pushes to.'),
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
    .describe('Pulumi Cloud API (a self-hosted one, or the default service).'),
  tokenVariable: z
    .string()
    .regex(/^[A-Z_][A-Z0-9_]*$/, 'expected an environment variable name')
    .default('PULUMI_ACCESS_TOKEN')
    .describe('Environment variable holding the access token.'),
  prefix: escPath.default('manifold.images').describe('Where pins live by default: <prefix>.<app>.<image> holds repository:tag@sha256:….'),
  images: z.record(z.string(), escImageSchema).default({}).describe('Per pin (<app>/<image>), another property or a repository + tag pair.'),
});

/** `overlays/<env>/environment.yaml` as written by people. */
export const environmentSchema = z
  .strictObject({
    namespace: dnsLabel.describe('Namespace of every object in this environment.'),
    domain: hostname.describe('Base DNS domain; apps derive their hosts from it.'),
    requireDigests: z.boolean().optional().describe('Refuse pins without @sha256 digests. Default: true for an environment named prod, else false.'),
    delivery: z.enum(['argocd', 'flux']).default('argocd').describe('Which GitOps tool syncs dist/<env>.'),
    podSecurity: z
      .enum(['restricted', 'baseline', 'privileged'])
      .default('restricted')
      .describe('Pod Security Standard every workload must meet before synth writes it (as the namespace enforces it).'),
    apps: z.array(dnsLabel).optional().describe('Apps deployed here. Default: every app under apps/.'),
    promotesFrom: dnsLabel.optional().describe('The environment whose pins are promoted into this one (pnpm images compares them).'),
    sizes: z.record(dnsLabel, sizeSchema).describe('Replicas and resources per size class.'),
    flux: fluxSchema.default(fluxSchema.parse({})).describe('Flux image automation for the pins that have an update policy.'),
    esc: escSchema.optional().describe("The Pulumi ESC environment this environment's pins are pulled from and pushed to."),
  })
  .describe('One Manifold environment.');

/** A validated environment.yaml. */
export type EnvironmentFile = z.output<typeof environmentSchema>;
/** The validated `esc` settings of an environment. */
export type EscSettings = z.output<typeof escSchema>;
/** Where one pin lives in ESC. */
export type EscImageMapping = z.output<typeof escImageSchema>;
/** The validated `flux` settings of an environment. */
export type FluxSettings = z.output<typeof fluxSchema>;
