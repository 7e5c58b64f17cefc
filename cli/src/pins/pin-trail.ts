/** How far one environment's pin trails another's: by build time for timestamped tags, by version otherwise. */
import semver from 'semver';
import type { Pin } from '../config/load-environment.ts';

const TIMESTAMP_SUFFIX = /-([0-9]{10})$/;

/** A short description of `pin` compared with `ahead` (the environment it is promoted from). */
export function describeTrail(pin: Pin, ahead: Pin | undefined, aheadEnv: string): string {
  if (!ahead) return '';
  if (ahead.ref.value === pin.ref.value) return `same as ${aheadEnv}`;
  const [mine, theirs] = [pin.ref.tag, ahead.ref.tag].map((tag) => TIMESTAMP_SUFFIX.exec(tag)?.[1]);
  if (mine && theirs) {
    const seconds = Number(theirs) - Number(mine);
    if (seconds === 0) return `same build time as ${aheadEnv}, other digest`;
    return `${duration(Math.abs(seconds))} ${seconds > 0 ? 'behind' : 'ahead of'} ${aheadEnv}`;
  }
  const [a, b] = [pin.ref.tag, ahead.ref.tag].map((tag) => semver.coerce(tag, { loose: true }));
  if (a && b && !semver.eq(a, b)) return `${semver.lt(a, b) ? 'behind' : 'ahead of'} ${aheadEnv} (${ahead.ref.tag})`;
  return `differs from ${aheadEnv} (${ahead.ref.tag})`;
}

function duration(seconds: number): string {
  const days = Math.floor(seconds / 86_400);
  const hours = Math.floor((seconds % 86_400) / 3600);
  const minutes = Math.floor((seconds % 3600) / 60);
  if (days > 0) return `${days}d ${hours}h`;
  if (hours > 0) return `${hours}h ${minutes}m`;
  return `${Math.max(minutes, 1)}m`;
}
