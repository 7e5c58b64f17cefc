import { describe, expect, it } from 'vitest';
import { paint, progressReporter } from './terminal.ts';

function fakeStream(isTTY: boolean): NodeJS.WriteStream & { written: string[] } {
  const written: string[] = [];
  return { isTTY, written, write: (chunk: string) => written.push(chunk) > 0 } as unknown as NodeJS.WriteStream & { written: string[] };
}

describe('terminal output', () => {
  it('redraws one progress line on a TTY and clears it when done', () => {
    const stream = fakeStream(true);
    const progress = progressReporter(stream);
    progress.report('resolving a');
    progress.report('resolving b');
    progress.done();
    expect(stream.written[0]?.startsWith('\r\x1b[K')).toBe(true);
    expect(stream.written.join('')).toContain('resolving b');
    expect(stream.written.at(-1)).toBe('\r\x1b[K');
    expect(stream.written.join('')).not.toContain('\n');
  });

  it('writes plain lines and no colour elsewhere', () => {
    const stream = fakeStream(false);
    const progress = progressReporter(stream);
    progress.report('resolving a');
    progress.done();
    expect(stream.written).toEqual(['resolving a\n']);
    expect(paint('held', 'yellow', stream)).toBe('held');
  });
});
