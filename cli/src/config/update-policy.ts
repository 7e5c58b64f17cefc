/**
 * How a Flux ImagePolicy chooses among tags, as image-reflector-controller v1.x does it: `filterTags`
 * is a Go RE2 pattern (re2js, a port of RE2) and `extract` a Go `Regexp.Expand` template; `semver`
 * ranges are Masterminds/semver v3 constraints (commas and spaces both mean "and"), read here with
 * npm `semver`; `numerical` parses the extracted text as a float and fails the whole policy on any
 * tag that is not one; `alphabetical` compares bytes. `asc` picks the highest, `desc` the lowest.
 */
import { RE2JS } from 're2js';
import semver from 'semver';
import type { UpdatePolicy } from './images-schema.ts';

/** A policy ready to judge tags. */
export interface CompiledPolicy {
  /** The value the policy sorts `tag` by, or undefined when the policy ignores the tag. */
  sortKey(tag: string): string | undefined;
  /** The tag the policy would select among `tags`, or undefined when none qualifies. */
  latest(tags: readonly string[]): string | undefined;
  /** True when the policy would choose `candidate` over `current`. */
  ranksAbove(candidate: string, current: string): boolean;
}

/** Raised when a policy cannot be used at all, as Flux would mark it not ready. */
export class InvalidPolicyError extends Error {}

// Masterminds/semver v3 `NewVersion`: an optional v, one to three numbers, pre-release and build.
const MASTERMINDS_VERSION = /^v?([0-9]+)(?:\.([0-9]+))?(?:\.([0-9]+))?(-[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*)?(\+[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*)?$/;
const GO_FLOAT = /^[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?$/;

// Pins share a handful of policies: judge each once.
const problems = new Map<string, string | undefined>();

/** Why Flux would refuse `policy` (a range it cannot parse, a pattern RE2 cannot compile), or undefined. */
export function policyProblem(policy: Pick<UpdatePolicy, 'semver' | 'pattern' | 'extract'>): string | undefined {
  const key = JSON.stringify([policy.semver, policy.pattern, policy.extract]);
  if (!problems.has(key)) problems.set(key, findPolicyProblem(policy));
  return problems.get(key);
}

function findPolicyProblem(policy: Pick<UpdatePolicy, 'semver' | 'pattern' | 'extract'>): string | undefined {
  if (policy.semver !== undefined && semverRange(policy.semver) === undefined) return `semver range "${policy.semver}" does not parse`;
  if (policy.pattern === undefined) return undefined;
  let pattern: RE2JS;
  try {
    pattern = RE2JS.compile(policy.pattern);
  } catch (error) {
    return `pattern is not valid RE2 (Go) syntax: ${(error as Error).message}; lookaround and backreferences are not supported`;
  }
  const groups = Object.keys(pattern.namedGroups());
  for (const name of templateNames(policy.extract ?? '')) {
    if (/^[0-9]+$/.test(name) ? Number(name) > pattern.groupCount() : !groups.includes(name))
      return `extract names group "${name}", which the pattern does not have`;
  }
  return undefined;
}

// Pins share a handful of policies; compile each once.
const compiled = new Map<string, CompiledPolicy>();

/** Compiles `policy`; throws InvalidPolicyError for one Flux would refuse. */
export function compilePolicy(policy: UpdatePolicy): CompiledPolicy {
  const key = JSON.stringify([policy.semver, policy.pattern, policy.extract, policy.sort, policy.order]);
  let result = compiled.get(key);
  if (!result) {
    result = compileUncached(policy);
    compiled.set(key, result);
  }
  return result;
}

function compileUncached(policy: UpdatePolicy): CompiledPolicy {
  const problem = policyProblem(policy);
  if (problem) throw new InvalidPolicyError(problem);
  if (policy.semver !== undefined) {
    const range = semverRange(policy.semver) as string;
    const sortKey = (tag: string): string | undefined => {
      const version = mastermindsVersion(tag);
      return version && semver.satisfies(version, range) ? version : undefined;
    };
    const compare = (a: string, b: string): number => semver.compare(a, b);
    return rankingPolicy(sortKey, compare, policy.order);
  }
  const pattern = RE2JS.compile(policy.pattern ?? '');
  const extract = policy.extract ?? '';
  // Go's ReplaceAllString(tag, extract): every match replaced by the expanded template, the rest kept.
  const sortKey = (tag: string): string | undefined => {
    const matcher = pattern.matcher(tag);
    let key = '';
    let copied = 0;
    let matched = false;
    while (matcher.find()) {
      matched = true;
      const group = (name: string): string => (/^[0-9]+$/.test(name) ? matcher.group(Number(name)) : matcher.group(name)) ?? '';
      key += tag.slice(copied, matcher.start()) + (extract === '' ? matcher.group(0) : expandTemplate(extract, group));
      copied = matcher.end();
    }
    if (!matched) return undefined;
    return extract === '' ? tag : key + tag.slice(copied);
  };
  const compare =
    policy.sort === 'alphabetical'
      ? (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0)
      : (a: string, b: string): number => Math.sign(numberOf(a) - numberOf(b));
  return rankingPolicy(sortKey, compare, policy.order);
}

/** True when `policy` would choose `candidate` over `current`. */
export function ranksAbove(policy: UpdatePolicy, candidate: string, current: string): boolean {
  return compilePolicy(policy).ranksAbove(candidate, current);
}

function rankingPolicy(sortKey: (tag: string) => string | undefined, compare: (a: string, b: string) => number, order: 'asc' | 'desc'): CompiledPolicy {
  const direction = order === 'desc' ? -1 : 1;
  return {
    sortKey,
    latest(tags) {
      let best: { tag: string; key: string } | undefined;
      for (const tag of tags) {
        const key = sortKey(tag);
        if (key === undefined) continue;
        if (!best || direction * compare(key, best.key) > 0) best = { tag, key };
      }
      return best?.tag;
    },
    ranksAbove(candidate, current) {
      const a = sortKey(candidate);
      if (a === undefined) return false;
      const b = sortKey(current);
      return b === undefined || direction * compare(a, b) > 0;
    },
  };
}

/**
 * A Masterminds constraint as an npm semver range, or undefined when it does not parse: commas mean
 * "and" like spaces, and `!=v` (which npm lacks) splits its alternative into `<v` or `>v`.
 */
function semverRange(range: string): string | undefined {
  const alternatives = range.split('||').flatMap((alternative) => {
    const comparators = alternative
      .replaceAll(',', ' ')
      .replace(/(!=|>=|<=|[<>=~^])\s+/g, '$1')
      .trim()
      .split(/\s+/)
      .filter(Boolean);
    let expanded: string[][] = [[]];
    for (const comparator of comparators) {
      const excluded = comparator.startsWith('!=') ? comparator.slice(2) : undefined;
      expanded =
        excluded === undefined
          ? expanded.map((group) => [...group, comparator])
          : expanded.flatMap((group) => [
              [...group, `<${excluded}`],
              [...group, `>${excluded}`],
            ]);
    }
    return expanded.map((group) => group.join(' '));
  });
  const normalised = alternatives.join(' || ');
  return alternatives.every((alternative) => alternative !== '') && semver.validRange(normalised) !== null ? normalised : undefined;
}

/** The tag as a full semver version, the way Masterminds reads it (`v1.2` is 1.2.0), or undefined. */
function mastermindsVersion(tag: string): string | undefined {
  const match = MASTERMINDS_VERSION.exec(tag);
  if (!match) return undefined;
  const [, major, minor = '0', patch = '0', prerelease = '', build = ''] = match;
  return semver.valid(`${major}.${minor}.${patch}${prerelease}${build}`) ?? undefined;
}

function numberOf(text: string): number {
  if (!GO_FLOAT.test(text)) throw new InvalidPolicyError(`the extracted value "${text}" is not a number, so a numerical policy fails`);
  return Number(text);
}

/** Group names a Go `Expand` template refers to: `$name`, `${name}`, `$1`. */
function templateNames(template: string): string[] {
  return [...template.matchAll(/\$(?:\{([A-Za-z0-9_]+)\}|([A-Za-z0-9_]+))/g)].map((match) => (match[1] ?? match[2]) as string);
}

/** Go's `Regexp.Expand`: `$$` is a dollar; `$name` takes the longest run of letters, digits and `_`. */
function expandTemplate(template: string, group: (name: string) => string): string {
  return template.replace(/\$(\$|\{([A-Za-z0-9_]+)\}|([A-Za-z0-9_]+))/g, (_, whole: string, braced?: string, bare?: string) =>
    whole === '$' ? '$' : group((braced ?? bare) as string),
  );
}
