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
  })
  .describe('One Manifold environment.');

/** A validated environment.yaml. */
export type EnvironmentFile = z.output<typeof environmentSchema>;
/** The validated `flux` settings of an environment. */
export type FluxSettings = z.output<typeof fluxSchema>;
