/**
 * What promoting one environment's pins to another changes: the pins that move, those the target
 * holds, and the edits of the target's images.yaml. A pin the target lacks is added when the target
 * deploys its app, so a new environment fills from the one it is promoted from.
 */
import { parse } from 'yaml';
import { discoverApps } from '../apps/load-apps.ts';
import type { Environment, Pin } from '../config/load-environment.ts';
import type { PinEdit } from '../config/pin-edits.ts';
import { ConfigError } from '../errors/config-error.ts';
import { diffPins, type PinChange } from './pin-changes.ts';
import { provenance } from './provenance.ts';

/** A planned promotion from one environment to another. */
export interface Promotion {
  /** Source pins whose reference the target takes (or adds). */
  readonly moving: readonly Pin[];
  /** Source pins the target holds, so they do not move. */
  readonly held: readonly Pin[];
  /** The target's images.yaml edits. */
  readonly edits: readonly PinEdit[];
  /** What changes in the target, for the report. */
  readonly changes: readonly PinChange[];
}

/**
 * Plans copying `selected` pins of `from` to `to`; a {@link ConfigError} when `to` requires digests and
 * a moving pin has none.
 */
export async function planPromotion(root: string, from: Environment, to: Environment, selected: readonly Pin[]): Promise<Promotion> {
  const deployed = new Set(to.apps ?? (await discoverApps(root)).map((app) => app.name));
  const moving: Pin[] = [];
  const held: Pin[] = [];
  for (const pin of selected) {
    const target = to.pins.get(`${pin.app}/${pin.image}`);
    if (!target && !deployed.has(pin.app)) continue;
    if (target?.ref.value === pin.ref.value) continue;
    (target?.hold ? held : moving).push(pin);
  }
  const mutable = moving.filter((pin) => !pin.ref.digest);
  if (to.requireDigests && mutable.length > 0) {
    const names = mutable.map((pin) => `${pin.app}/${pin.image}`);
    throw new ConfigError({
      ...(mutable[0] as Pin).position,
      message: `${to.name} requires digests, but ${names.join(', ')} in ${from.name} ${mutable.length === 1 ? 'has' : 'have'} none`,
      hint: `pin ${from.name} by digest first: pnpm pin ${from.name} ${mutable.map((pin) => `${pin.app}/${pin.image}=${pin.ref.value}`).join(' ')}`,
    });
  }
  const source = provenance('promote', process.env, { from: from.name });
  const written = parse(from.sources.images.text) as Record<string, Record<string, { update?: Record<string, unknown> }>> | null;
  const edits = moving.map((pin) => ({
    app: pin.app,
    image: pin.image,
    ref: pin.ref.value,
    source,
    // An added pin takes the source's update policy as written there.
    update: to.pins.has(`${pin.app}/${pin.image}`) ? undefined : written?.[pin.app]?.[pin.image]?.update,
  }));
  const before = new Map(moving.flatMap((pin) => to.pins.get(`${pin.app}/${pin.image}`) ?? []).map((pin) => [`${pin.app}/${pin.image}`, pin]));
  const changes = diffPins(to.name, before, new Map(moving.map((pin) => [`${pin.app}/${pin.image}`, pin])));
  return { moving, held, edits, changes };
}
