/** Validates one rendered object: its kind's schema, then what the API server checks beyond it. */
import type { PodSecurityLevel } from '../config/environment-schema.ts';
import { DEFAULT_KUBERNETES_VERSION } from '../config/kubernetes-version.ts';
import { apiServerViolations } from './api-server-rules.ts';
import { unservedReason } from './kubernetes-versions.ts';
import type { ObjectSchemas } from './object-schemas.ts';
import { podSecurityViolations } from './pod-security.ts';
import { type RepositorySettings, repositoryViolations } from './repository-rules.ts';

/** The first reason the cluster would reject `object`, with what to do. */
export interface ObjectViolation {
  /** Dotted JSON path of the field. */
  readonly path: string;
  readonly message: string;
  readonly hint: string;
}

/** What the checks of an object depend on besides the object: the environment's settings. */
export interface ValidationSettings extends RepositorySettings {
  readonly podSecurity: PodSecurityLevel;
  /** The Kubernetes release the environment deploys to (`1.NN`). */
  readonly kubernetesVersion: string;
}

/** The first violation in `object`, or undefined when the cluster would take it and Manifold allows it. */
export function validateObject(
  object: Record<string, unknown>,
  schemas: ObjectSchemas,
  { podSecurity = 'restricted', env = '', requireDigests = false, kubernetesVersion = DEFAULT_KUBERNETES_VERSION }: Partial<ValidationSettings> = {},
): ObjectViolation | undefined {
  const unserved = unservedReason(String(object.apiVersion), String(object.kind), kubernetesVersion);
  if (unserved) {
    return {
      path: 'apiVersion',
      message: unserved,
      hint: `emit an API version Kubernetes ${kubernetesVersion} serves, or set kubernetesVersion in the environment.yaml to the release the cluster runs`,
    };
  }
  const schema = schemas.schemaOf(String(object.apiVersion), String(object.kind));
  const [schemaViolation] = schema ? schema(object) : [];
  if (schemaViolation) {
    return { ...schemaViolation, hint: `fix the value the app passes for ${schemaViolation.path}; the field follows the ${object.kind} schema` };
  }
  const [ruleViolation] = apiServerViolations(object);
  if (ruleViolation) return { ...ruleViolation, hint: 'the API server would refuse this object: change the value the app passes' };
  const [repositoryViolation] = repositoryViolations(object, { env, requireDigests });
  if (repositoryViolation) return repositoryViolation;
  const [securityViolation] = podSecurityViolations(object, podSecurity, kubernetesVersion);
  if (securityViolation) {
    return {
      ...securityViolation,
      hint: `keep the construct's secure defaults, or relax podSecurity in the environment.yaml (restricted, baseline, privileged) for a workload that truly needs it`,
    };
  }
  return undefined;
}
