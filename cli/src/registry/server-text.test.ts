import { describe, expect, it } from 'vitest';
import { requestId, serverText } from './server-text.ts';

describe('serverText', () => {
  it('keeps one printable line: no escapes, no forged lines, no credentials, bounded', () => {
    const token = 'pul-0123456789abcdef';
    const hostile = `denied\r\n::set-output name=x::${token}\u001b]8;;http://evil\u0007click\u001b[2J`;
    const shown = serverText(hostile, [token]);
    expect(shown).toBe('denied ::set-output name=x::*** ]8;;http://evil click [2J');
    expect(shown).not.toMatch(/\p{Cc}/u);
    expect(serverText('x'.repeat(500)).length).toBe(201);
  });

  it('passes request ids that look like ids only', () => {
    expect(requestId('3f2c1e9a-77b1-4c1e-9e8d-7c6b5a4f3e2d')).toBe('3f2c1e9a-77b1-4c1e-9e8d-7c6b5a4f3e2d');
    expect(requestId('abc\u001b[31m')).toBeUndefined();
    expect(requestId('a b')).toBeUndefined();
    expect(requestId(null)).toBeUndefined();
    expect(requestId('Basic-Y2k6aHVudGVyMnJlZ2lzdHJ5cHdk', ['Y2k6aHVudGVyMnJlZ2lzdHJ5cHdk'])).toBeUndefined();
    expect(requestId('req-7', ['Y2k6aHVudGVyMnJlZ2lzdHJ5cHdk'])).toBe('req-7');
  });
});
