import { afterEach, describe, expect, it, vi } from 'vitest';
import { runCli } from './run-cli.ts';
import { exampleRepository } from './testing/example-repository.ts';

describe('runCli', () => {
  afterEach(() => {
    vi.restoreAllMocks();
    process.removeAllListeners('SIGINT');
  });

  it('reports an unexpected exception as an internal error (exit 70), in one line without --verbose, with the stack with it', async () => {
    const written: string[] = [];
    vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => {
      written.push(String(chunk));
      return true;
    });
    // A module whose default export cannot be read: nothing the user wrote, so a failure of Manifold's.
    const broken = async () => ({
      get default(): never {
        throw new TypeError('cannot read the definition');
      },
    });
    expect(await runCli(['synth', '--check'], { root: exampleRepository(), importApp: broken })).toBe(70);
    expect(written.join('')).toBe(
      'internal error: cannot read the definition\n  hint: this is a bug in Manifold, not in your input: please report it with the stack that --verbose prints\n',
    );
    written.length = 0;
    expect(await runCli(['--verbose', 'synth', '--check'], { root: exampleRepository(), importApp: broken })).toBe(70);
    expect(written.join('')).toMatch(/^internal error: cannot read the definition\n {2}hint: [^\n]+\nTypeError: cannot read the definition\n {4}at /);
  });
});
