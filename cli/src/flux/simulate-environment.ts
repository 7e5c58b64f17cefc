/** Simulates the Flux image update of one environment: its policies reporting new tags, its setters run. */

import type { UpdatePolicy } from '../config/images-schema.ts';
import type { Environment, Pin } from '../config/load-environment.ts';
import { type CompiledPolicy, compilePolicy, InvalidPolicyError } from '../config/update-policy.ts';
import { ConfigError } from '../errors/config-error.ts';
import type { LatestImageRef } from '../markers/setter-markers.ts';
import { movablePins } from './image-automation-objects.ts';
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
 * (keyed by policy name or `<app>/<image>`). `candidates` are tags a registry lists: the policy
 * picks among them and the pin's own tag exactly as the ImagePolicy would.
 */
export function latestRefs(
  env: Environment,
  updates: ReadonlyMap<string, PolicyUpdate>,
  candidates: ReadonlyMap<string, readonly PolicyUpdate[]> = new Map(),
): Map<string, LatestImageRef> {
  const pins = movablePins(env);
  const unknown = [...updates.keys(), ...candidates.keys()].filter((key) => !pins.some((pin) => pin.policy?.name === key || `${pin.app}/${pin.image}` === key));
  if (unknown.length > 0) {
    throw new ConfigError({
      ...env.sources.images.positionOf([]),
      message: `${env.name} has no image policy ${unknown.map((key) => `"${key}"`).join(', ')}`,
      hint: `policies of ${env.name}: ${pins.map((pin) => pin.policy?.name).join(', ') || 'none (no pin has an update policy)'}`,
    });
  }
  const refs = new Map<string, LatestImageRef>();
  for (const pin of pins) {
    const policy = compilePolicy(pin.update as UpdatePolicy);
    const listed = candidates.get(pin.policy?.name ?? '') ?? candidates.get(`${pin.app}/${pin.image}`);
    const chosen = listed ? choose(policy, pin, listed) : undefined;
    const update = chosen ?? updates.get(pin.policy?.name ?? '') ?? updates.get(`${pin.app}/${pin.image}`);
    if (update && policy.sortKey(update.tag) === undefined) {
      throw new ConfigError({
        ...env.sources.images.positionOf([pin.app, pin.image, 'update']),
        message: `policy ${pin.policy?.name} would never select tag "${update.tag}": it does not pass the policy's ${pin.update?.semver ? 'semver range' : 'pattern'}`,
        hint: 'give a tag the policy selects, or --tags with the tags the registry has to let the policy choose',
      });
    }
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

/** The update a policy picks among `listed` and the pin's own tag, or undefined when it keeps the pin. */
function choose(policy: CompiledPolicy, pin: Pin, listed: readonly PolicyUpdate[]): PolicyUpdate | undefined {
  let latest: string | undefined;
  try {
    latest = policy.latest([pin.ref.tag, ...listed.map((update) => update.tag)]);
  } catch (error) {
    if (!(error instanceof InvalidPolicyError)) throw error;
    throw new ConfigError({
      ...pin.position,
      message: `policy ${pin.policy?.name} fails: ${error.message}`,
      hint: 'fix the pattern or extract so that every tag it matches gives a number',
    });
  }
  return latest === pin.ref.tag ? undefined : listed.find((update) => update.tag === latest);
}

/** What Flux's automation for `env` would commit if its policies reported `updates` (or chose among `candidates`). Reads only. */
export function simulateFluxUpdate(
  root: string,
  env: Environment,
  updates: ReadonlyMap<string, PolicyUpdate>,
  candidates: ReadonlyMap<string, readonly PolicyUpdate[]> = new Map(),
): SetterRun {
  return runSetters(root, env.flux.updatePath, latestRefs(env, updates, candidates));
}
