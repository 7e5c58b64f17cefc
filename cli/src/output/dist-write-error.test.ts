import { describe, expect, it } from 'vitest';
import { describeWriteFailure } from './dist-write-error.ts';

describe('describeWriteFailure', () => {
  it('names the errno, the path inside the repository and what to do', () => {
    const error = Object.assign(new Error("ENOSPC: no space left on device, open '/repo/dist/dev/a.yaml'"), {
      code: 'ENOSPC',
      errno: -28,
      syscall: 'open',
      path: '/repo/dist/dev/a.yaml',
    });
    const failure = describeWriteFailure(error, '/repo', 'write', 'dist/dev is unchanged');
    expect(failure.format()).toBe('cannot write dist/dev/a.yaml: ENOSPC (open); dist/dev is unchanged\n  hint: free disk space, then run pnpm synth again');
  });

  it("recovers the errno of Node.js 24's native recursive rm, which reports it with an empty code", () => {
    // What rmSync(dir, { recursive: true }) throws on Node.js 24 when a getdents64 or unlinkat under it fails with ENOSPC.
    const error = Object.assign(new Error(", Unknown error: No space left on device '/repo/dist/.dev.patch'"), {
      code: '',
      errno: -4094,
      syscall: 'rm',
      path: '/repo/dist/.dev.patch',
    });
    expect(describeWriteFailure(error, '/repo', 'remove the replaced files', 'left over').message).toBe(
      'cannot remove the replaced files dist/.dev.patch: ENOSPC (rm); left over',
    );
  });
});
