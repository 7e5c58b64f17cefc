/** The typed app definition and the per-environment context an app builds from. */
import type { Chart } from 'cdk8s';
import type { ImageField } from './images/image-policy-marker.ts';
import type { ImageRef } from './images/image-ref.ts';
import type { EscSecret } from './secrets/esc-secret.ts';

/** Replicas and resources for one size class, as an environment defines them. */
export interface WorkloadSize {
  /** Number of pod replicas. */
  readonly replicas: number;
  /** CPU request, in Kubernetes quantity notation (`250m`, `1`). */
  readonly cpu: string;
  /** Memory request and limit (`512Mi`, `2Gi`). */
  readonly memory: string;
  /** CPU limit; without one the container may use idle CPU beyond its request. @default no limit */
  readonly cpuLimit?: string;
}

/** What an app receives when it is built for one environment. */
export interface EnvironmentContext {
  /** Environment name, e.g. `prod`. */
  readonly name: string;
  /** Namespace every object of the environment lives in. */
  readonly namespace: string;
  /** Base DNS domain of the environment, e.g. `acme.example`. */
  readonly domain: string;
  /** Replicas and resources for a size class (`small`, `medium`, …) defined in environment.yaml. */
  size(sizeClass: string): WorkloadSize;
  /** The pinned reference of one of the app's declared images. */
  image(name: string): ImageRef;
  /**
   * One part of a declared image's pinned reference, for a field other than a container image
   * (an env var or annotation). The field gets the matching Flux marker, so Flux moves it together
   * with the image.
   */
  imageField(name: string, field: Exclude<ImageField, 'full'>): string;
  /**
   * A secret from the environment's Pulumi ESC environment, for a workload's `env`: the cluster's
   * External Secrets Operator copies the value at `escPath` into the app's Secret under `key`, and the
   * container reads it from there. The value never passes through Manifold or git.
   */
  secret(key: string, escPath: string): EscSecret;
}

/** A deployable app: the images it uses and how it builds its objects for one environment. */
export interface AppDefinition {
  /** App name; becomes the folder under `dist/<env>/`. DNS-1123 label. */
  readonly name: string;
  /** Logical names of the images the app uses; every environment needs a pin for each. */
  readonly images: readonly string[];
  /** Adds the app's objects to `chart` for the environment described by `env`. */
  build(chart: Chart, env: EnvironmentContext): void;
}

/** Declares an app. Identity function that gives the definition its type. */
export function defineApp(definition: AppDefinition): AppDefinition {
  return definition;
}
