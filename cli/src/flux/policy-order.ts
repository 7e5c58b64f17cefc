/** How an ImagePolicy ranks tags: the one it would pick between two (semver range, or extracted part sorted). */
import semver from 'semver';
import type { UpdatePolicy } from '../config/images-schema.ts';

/** True when `policy` would choose `candidate` over `current` (both must pass its filter). */
export function ranksAbove(policy: UpdatePolicy, candidate: string, current: string): boolean {
  if (policy.semver !== undefined) {
    const [a, b] = [candidate, current].map((tag) => semver.coerce(tag, { loose: true, includePrerelease: true }));
    if (!a || !semver.satisfies(a, policy.semver, { loose: true })) return false;
    return !b || semver.gt(a, b);
  }
  const pattern = new RegExp((policy.pattern ?? '').replace(/\(\?P</g, '(?<'));
  const group = (policy.extract ?? '').slice(1);
  const [a, b] = [candidate, current].map((tag) => pattern.exec(tag)?.groups?.[group]);
  if (a === undefined) return false;
  if (b === undefined) return true;
  const order = policy.sort === 'alphabetical' ? compareText(a, b) : Math.sign(Number(a) - Number(b));
  return policy.order === 'desc' ? order < 0 : order > 0;
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
