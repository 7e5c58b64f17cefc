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

/** A new pin's name: `<app>/<image>`, each a DNS-1123 label (so it can never name a path). */
const NEW_PIN_NAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?\/[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/**
 * The pins a `pin` assignment's `target` sets: those it names in `env`, or else the one new pin it
 * names as `<app>/<image>`; an {@link ArgumentError} (for `argument`) when it is neither.
 */
export function assignmentTargets(env: Environment, target: string, argument: string): { app: string; image: string }[] {
  const pins = pinsNamed(env, target);
  if (pins.length > 0) return pins.map((pin) => ({ app: pin.app, image: pin.image }));
  if (!target.includes('/')) {
    throw new ArgumentError(argument, `${env.name} has no pin named "${target}"`, `pins of ${env.name}: ${pinNames(env)}; a new one is named <app>/<image>`);
  }
  if (!NEW_PIN_NAME.test(target)) {
    throw new ArgumentError(
      argument,
      `"${target}" is not a pin of ${env.name}, nor a new pin name <app>/<image> (two DNS-1123 labels)`,
      `pins of ${env.name}: ${pinNames(env)}`,
    );
  }
  const [app = '', image = ''] = target.split('/');
  return [{ app, image }];
}

/**
 * The pins a comma-separated `--only` list selects in `env` (every pin when there is none); an
 * {@link ArgumentError} for an item that names nothing.
 */
export function selectPins(env: Environment, only: string | undefined): Pin[] {
  if (only === undefined) return [...env.pins.values()];
  return only.split(',').flatMap((item, index) => {
    const target = item.trim();
    const pins = target === '' ? [] : pinsNamed(env, target);
    if (pins.length === 0) {
      throw new ArgumentError(
        '--only',
        target === '' ? `item ${index + 1} names nothing` : `${env.name} has no pin or app named "${target}"`,
        `name pins, image names, repositories or apps of ${env.name}, comma-separated: ${pinNames(env)}`,
      );
    }
    return pins;
  });
}
