/**
 * The Renovate settings that move image pins as their Flux update policy would: a regex manager for
 * the marker-bearing `ref:` lines of overlays/<env>/images.yaml (tag and digest together), and one
 * package rule per policy that tells Renovate how to order the tags.
 */
import semver from 'semver';
import type { UpdatePolicy } from '../config/images-schema.ts';
import type { Environment } from '../config/load-environment.ts';

/** Every description Manifold writes starts with this, so it finds (and replaces) only its own entries. */
export const MANAGED_PREFIX = 'manifold:';

/** The regex manager: only lines with a Flux marker (pins with an update policy and no hold); the policy name is the dependency name. */
export function pinManager(): Record<string, unknown> {
  return {
    customType: 'regex',
    description: `${MANAGED_PREFIX} image pins with an update policy in overlays/<env>/images.yaml (written by pnpm manifold renovate)`,
    // Renovate 41 and later: a regular expression between slashes (a bare string is a glob).
    managerFilePatterns: ['/(^|/)overlays/[^/]+/images\\.yaml$/'],
    matchStrings: [
      'ref: (?<packageName>[^\\s@]+):(?<currentValue>[^\\s@:]+)(?:@(?<currentDigest>sha256:[a-f0-9]{64}))? # \\{"\\$imagepolicy": "[^":]+:(?<depName>[^"]+)"\\}',
    ],
    datasourceTemplate: 'docker',
  };
}

/** A package rule for some pins: how Renovate orders their tags, or why it leaves them to Flux. */
export interface PinRule {
  readonly description: string;
  /** Flux image policy names: the dependency names the manager gives the pins. */
  readonly matchDepNames: string[];
  readonly versioning?: string;
  readonly allowedVersions?: string;
  /** 0: no limit on how far the extracted number may move in one update. */
  readonly maxMajorIncrement?: 0;
  readonly enabled?: false;
}

/** Pins are immutable: a tag pushed again (same tag, new digest) does not move a pin, as it does not move Flux. */
const NO_DIGEST_ONLY_UPDATES = {
  description: `${MANAGED_PREFIX} a pinned digest moves only with its tag, as Flux moves it`,
  matchFileNames: ['overlays/*/images.yaml'],
  matchUpdateTypes: ['digest'],
  enabled: false,
};

/** The rule against digest-only updates, then one rule per distinct policy across `envs`, in a stable order. */
export function pinRules(envs: readonly Environment[]): object[] {
  const rules = new Map<string, PinRule>();
  for (const env of envs) {
    for (const pin of env.pins.values()) {
      if (!pin.policy || !pin.update) continue;
      const translated = translatePolicy(pin.update);
      const key = JSON.stringify(translated);
      const { description, ...settings } = translated;
      const rule = rules.get(key) ?? { description, matchDepNames: [], ...settings };
      rule.matchDepNames.push(pin.policy.name);
      rules.set(key, rule);
    }
  }
  for (const rule of rules.values()) rule.matchDepNames.sort();
  const sorted = [...rules.values()].sort((a, b) => (a.description < b.description ? -1 : a.description > b.description ? 1 : 0));
  return [NO_DIGEST_ONLY_UPDATES, ...sorted];
}

/** How Renovate can follow `policy`: Renovate picks the highest version its versioning allows. */
export function translatePolicy(policy: UpdatePolicy): Omit<PinRule, 'matchDepNames'> {
  const leave = (why: string) => ({ description: `${MANAGED_PREFIX} left to Flux: ${why}`, enabled: false as const });
  if (policy.order === 'desc') return leave('Renovate cannot pick the lowest tag (order: desc)');
  if (policy.semver !== undefined) {
    // Masterminds joins constraints with commas or spaces; npm semver (Renovate's) with spaces.
    const range = policy.semver.replaceAll(',', ' ').replace(/\s+/g, ' ').trim();
    if (range.includes('!=') || semver.validRange(range) === null) return leave(`semver range "${policy.semver}" has no npm semver equivalent`);
    // semver-coerced reads `16.4` as Masterminds does and, like Flux, skips pre-releases (`1.4.0-rc.1`, `16.4-alpine`).
    return { description: `${MANAGED_PREFIX} semver ${range}`, versioning: 'semver-coerced', allowedVersions: range };
  }
  if (policy.sort === 'alphabetical') return leave('Renovate cannot order tags alphabetically');
  const group = (policy.extract ?? '').slice(1);
  let found = false;
  // RE2 `(?P<name>` and `(?<name>` become JavaScript groups: the extracted one is Renovate's `major`, others plain groups.
  const pattern = (policy.pattern ?? '').replace(/\(\?P?<([A-Za-z_][A-Za-z0-9_]*)>/g, (_, name: string) => {
    if (name !== group) return '(?:';
    found = true;
    return '(?<major>';
  });
  try {
    new RegExp(pattern, 'u');
  } catch {
    return leave(`pattern "${policy.pattern}" is RE2 that JavaScript does not read the same way`);
  }
  if (!found) return leave(`pattern "${policy.pattern}" names its group in a way Renovate cannot use`);
  // The extracted number is the whole version (often a timestamp): any step up is one Flux takes, so
  // Renovate's limit on major increments (500 by default since 42) is switched off.
  return { description: `${MANAGED_PREFIX} numerical ${policy.extract} of ${policy.pattern}`, versioning: `regex:${pattern}`, maxMajorIncrement: 0 };
}
