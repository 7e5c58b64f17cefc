/** How the pin-writing commands (pin, promote, rollback, release) report what they changed. */
import type { Environment } from '../config/load-environment.ts';
import type { PinEdit } from '../config/pin-edits.ts';
import type { SynthResult } from '../synth/synthesize.ts';
import type { CliIo } from './cli-io.ts';
import { paint } from './terminal.ts';

/** Prints one line per edited pin (old → new), or JSON. */
export function printPinChanges(io: CliIo, envName: string, env: Environment, edits: readonly PinEdit[], json?: boolean): void {
  const rows = edits.map((edit) => {
    const before = env.pins.get(`${edit.app}/${edit.image}`);
    return {
      env: envName,
      image: `${edit.app}/${edit.image}`,
      from: before?.ref.value ?? null,
      to: edit.ref ?? before?.ref.value ?? null,
      hold: edit.hold ?? before?.hold ?? false,
    };
  });
  if (json) {
    io.out(JSON.stringify(rows, null, 2));
    return;
  }
  for (const row of rows) {
    const wasHeld = env.pins.get(row.image)?.hold ?? false;
    if (row.from === row.to && wasHeld !== row.hold) {
      // Only the hold changed: say that, not "<ref> -> <same ref>".
      const what = row.hold ? `held at ${row.to}: Flux and Renovate leave it until pnpm release` : `hold lifted on ${row.to}: Flux may move it again`;
      io.out(`${row.env} ${row.image}: ${paint(what, row.hold ? 'yellow' : 'green')}`);
      continue;
    }
    const hold = row.hold ? ` ${paint('(held)', 'yellow')}` : '';
    io.out(`${row.env} ${row.image}: ${row.from ?? '(new)'} -> ${paint(row.to ?? '', 'green')}${hold}`);
  }
}

/** Prints what the re-synthesis wrote. */
export function printSynthResult(io: CliIo, result: SynthResult): void {
  for (const [env, written] of result.environments) {
    io.out(
      `${env}: dist ${written.written.length + written.pruned.length === 0 ? 'up to date' : `${written.written.length} written, ${written.pruned.length} pruned`}`,
    );
  }
}
