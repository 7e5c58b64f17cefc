/** The signature check every writer of pins makes, with the Sigstore libraries loaded only where an environment has rules. */
import type { Environment } from '../config/load-environment.ts';
import type { PinEdit } from '../config/pin-edits.ts';
import type { RegistryClient } from '../registry/registry-client.ts';

/**
 * `edits` checked against `env`'s `verify:` rules, with the evidence recorded (see `verifiedEdits`);
 * as they are when `env` has none. The verifier is imported here, not at start-up: a run that
 * verifies nothing never loads it.
 */
export async function checkSignatures(env: Environment, edits: readonly PinEdit[], client: RegistryClient): Promise<PinEdit[]> {
  if (!env.verification) return [...edits];
  const { verifiedEdits } = await import('../verify/image-signatures.ts');
  return verifiedEdits(env, edits, client);
}
