/** Which pins a command argument names: `<app>/<image>`, an image name, or a repository. */
import type { Environment, Pin } from '../config/load-environment.ts';

/** The pins `target` names in `env`: one `<app>/<image>`, or every pin with that image name or repository. */
export function pinsNamed(env: Environment, target: string): Pin[] {
  const exact = env.pins.get(target);
  if (exact) return [exact];
  return [...env.pins.values()].filter((pin) => pin.image === target || pin.ref.repository === target);
}

/** Every `<app>/<image>` in `env`, for error hints. */
export function pinNames(env: Environment): string {
  return [...env.pins.keys()].join(', ') || '(none)';
}
