import { describe, expect, it } from 'vitest';
import { ranksAbove } from './policy-order.ts';

const timestamped = { pattern: '^main-[a-f0-9]+-(?P<ts>[0-9]+)$', extract: '$ts', sort: 'numerical' as const, order: 'asc' as const };

describe('ranksAbove', () => {
  it('orders extracted numbers, not strings', () => {
    expect(ranksAbove(timestamped, 'main-aaaaaaa-1733000000', 'main-bbbbbbb-999999999')).toBe(true);
    expect(ranksAbove(timestamped, 'main-aaaaaaa-999999999', 'main-bbbbbbb-1733000000')).toBe(false);
  });

  it('honours desc and alphabetical order', () => {
    expect(ranksAbove({ ...timestamped, order: 'desc' }, 'main-a-1', 'main-b-2')).toBe(true);
    expect(ranksAbove({ ...timestamped, sort: 'alphabetical' }, 'main-a-9', 'main-b-10')).toBe(true);
  });

  it('never ranks a tag the filter rejects', () => {
    expect(ranksAbove(timestamped, 'latest', 'main-a-1')).toBe(false);
  });

  it('uses semver ranges', () => {
    const policy = { semver: '>=16.0.0 <17.0.0', order: 'asc' as const };
    expect(ranksAbove(policy, '16.8', '16.6')).toBe(true);
    expect(ranksAbove(policy, '17.0', '16.6')).toBe(false);
    expect(ranksAbove(policy, '16.4', '16.6')).toBe(false);
  });
});
