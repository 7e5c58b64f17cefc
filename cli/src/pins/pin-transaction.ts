/**
 * The one transaction every pin-moving command ends with: whatever needs the network has already
 * run; now lock dist/, re-read the environment (another command may have changed it meanwhile),
 * apply the edits, render and write. A slow registry never holds the lock.
 */
import { join } from 'node:path';
import { type Environment, readEnvironment } from '../config/load-environment.ts';
import { editPins, type PinEdit } from '../config/pin-edits.ts';
import { withDistLock } from '../output/dist-lock.ts';
import type { RunContext } from '../synth/run-context.ts';
import { type SynthResult, synthesize } from '../synth/synthesize.ts';

/** What a committed pin transaction changed: the environment as it was under the lock, and the write. */
export interface PinCommit {
  readonly before: Environment;
  readonly result: SynthResult;
}

/** Applies `edits` to `envName`'s pins and re-synthesizes it, all under the dist lock; all or nothing. */
export async function commitPinEdits(root: string, envName: string, run: RunContext, edits: readonly PinEdit[]): Promise<PinCommit> {
  return withDistLock(join(root, 'dist'), async () => {
    const before = await readEnvironment(root, envName, run.renderCache);
    const result = await synthesize(root, [envName], run, { pins: new Map([[envName, editPins(before, edits)]]) });
    return { before, result };
  });
}
