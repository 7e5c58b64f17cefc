/** The example repository a test run works on (e2e/fixtures/example, synthesized once by the global setup). */

/** The environment variable through which vitest's global setup hands every test the synthesized example. */
export const EXAMPLE_VARIABLE = 'MANIFOLD_TEST_EXAMPLE';

/** The synthesized example repository of this test run; read-only (end-to-end tests copy it to change it). */
export function exampleRepository(): string {
  const dir = process.env[EXAMPLE_VARIABLE];
  if (!dir) throw new Error(`${EXAMPLE_VARIABLE} is not set: run the tests through vitest (vitest.global-setup.ts prepares the example)`);
  return dir;
}
