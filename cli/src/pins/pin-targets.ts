/** Which pins a command argument names: `<app>/<image>`, an image name, or a repository. */

import type { Environment, Pin } from '../config/load-environment.ts';
import { ArgumentError } from '../errors/manifold-error.ts';

/**
 * The pins `target` names in `env`: one `<app>/<image>`, or every pin with that image name or
 * repository, or else every pin of the app of that name.
 */
export function pinsNamed(env: Environment, target: string): Pin[] {
  const exact = env.pins.get(target);
  if (exact) return [exact];
  const pins = [...env.pins.values()];
  const byImage = pins.filter((pin) => pin.image === target || pin.ref.repository === target);
  return byImage.length > 0 ? byImage : pins.filter((pin) => pin.app === target);
}

/** Every `<app>/<image>` in `env`, for error hints. */
export function pinNames(env: Environment): string {
  return [...env.pins.keys()].join(', ') || '(none)';
}

/** The pins `target` (the command's second argument) names in `env`; an {@link ArgumentError} when it names none. */
export function requirePins(env: Environment, target: string): Pin[] {
  const pins = pinsNamed(env, target);
  if (pins.length === 0) throw new ArgumentError('argument 2', `${env.name} has no pin named "${target}"`, `pins of ${env.name}: ${pinNames(env)}`);
  return pins;
}
