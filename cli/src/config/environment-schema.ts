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

const sizeSchema = z.strictObject({
  replicas: z.number().int().min(0).max(1000).describe('Pod replicas.'),
  cpu: z
    .string()
    .regex(/^([1-9][0-9]*m|[0-9]+(\.[0-9]{1,3})?)$/, 'expected a CPU quantity such as 250m or 1')
    .describe('CPU request.'),
  memory: z
    .string()
    .regex(/^[1-9][0-9]*(Mi|Gi)$/, 'expected a memory quantity such as 512Mi or 2Gi')
    .describe('Memory request and limit.'),
});

/** `overlays/<env>/environment.yaml` as written by people. */
export const environmentSchema = z
  .strictObject({
    namespace: dnsLabel.describe('Namespace of every object in this environment.'),
    domain: hostname.describe('Base DNS domain; apps derive their hosts from it.'),
    requireDigests: z.boolean().optional().describe('Refuse pins without @sha256 digests. Default: true for an environment named prod, else false.'),
    delivery: z.enum(['argocd', 'flux']).default('argocd').describe('Which GitOps tool syncs dist/<env>.'),
    apps: z.array(dnsLabel).optional().describe('Apps deployed here. Default: every app under apps/.'),
    sizes: z.record(dnsLabel, sizeSchema).describe('Replicas and resources per size class.'),
    flux: z
      .strictObject({
        namespace: dnsLabel.default('flux-system').describe('Namespace of the Flux image automation objects.'),
      })
      .default({ namespace: 'flux-system' })
      .describe('Flux image automation settings.'),
  })
  .describe('One Manifold environment.');

/** A validated environment.yaml. */
export type EnvironmentFile = z.output<typeof environmentSchema>;
