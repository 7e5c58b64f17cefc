/** Simulates the Flux image update of one environment: its policies reporting new tags, its setters run. */
import { ConfigError } from '../config/config-error.ts';
import type { Environment } from '../config/load-environment.ts';
import { movablePins } from './image-automation-objects.ts';
import type { LatestImageRef } from './image-policy-setters.ts';
import { runSetters, type SetterRun } from './simulate-setters.ts';

/** A newer image a policy reports: the tag it selected and, when it reflects digests, the digest. */
export interface PolicyUpdate {
  readonly tag: string;
  readonly digest?: string;
}

const DIGEST = /^sha256:[a-f0-9]{64}$/;

/** Parses `<tag>[@sha256:<64 hex>]`. */
export function parsePolicyUpdate(text: string): PolicyUpdate | undefined {
  const [tag, digest, extra] = text.split('@');
  if (!tag || extra !== undefined || !/^[\w][\w.-]{0,127}$/.test(tag) || (digest !== undefined && !DIGEST.test(digest))) return undefined;
  return digest ? { tag, digest } : { tag };
}

/**
 * The `status.latestRef` of every policy of `env`: its pin as it is, or the update given for it
 * (keyed by policy name or `<app>/<image>`).
 */
export function latestRefs(env: Environment, updates: ReadonlyMap<string, PolicyUpdate>): Map<string, LatestImageRef> {
  const pins = movablePins(env);
  const unknown = [...updates.keys()].filter((key) => !pins.some((pin) => pin.policy?.name === key || `${pin.app}/${pin.image}` === key));
  if (unknown.length > 0) {
    throw new ConfigError({
      ...env.sources.images.positionOf([]),
      message: `${env.name} has no image policy ${unknown.map((key) => `"${key}"`).join(', ')}`,
      hint: `policies of ${env.name}: ${pins.map((pin) => pin.policy?.name).join(', ') || 'none (no pin has an update policy)'}`,
    });
  }
  const refs = new Map<string, LatestImageRef>();
  for (const pin of pins) {
    const update = updates.get(pin.policy?.name ?? '') ?? updates.get(`${pin.app}/${pin.image}`);
    if (update && pin.ref.digest && !update.digest) {
      throw new ConfigError({
        ...pin.position,
        message: `policy ${pin.policy?.name} reflects digests (its pin has one), so an update needs one too`,
        hint: `give it as ${update.tag}@sha256:<64 hex digits>`,
      });
    }
    const tag = update?.tag ?? pin.ref.tag;
    const digest = update ? update.digest : pin.ref.digest;
    refs.set(`${pin.policy?.namespace}:${pin.policy?.name}`, { name: pin.ref.repository, tag, ...(digest ? { digest } : {}) });
  }
  return refs;
}

/** What Flux's automation for `env` would commit if its policies reported `updates`. Reads only. */
export function simulateFluxUpdate(root: string, env: Environment, updates: ReadonlyMap<string, PolicyUpdate>): SetterRun {
  return runSetters(root, env.flux.updatePath, latestRefs(env, updates));
}
