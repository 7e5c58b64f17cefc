import { describe, expect, it } from 'vitest';
import { compilePolicy, InvalidPolicyError, policyProblem, ranksAbove } from './update-policy.ts';

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

describe('compilePolicy', () => {
  it('refuses patterns RE2 cannot compile and templates naming missing groups', () => {
    expect(policyProblem({ pattern: '^v(?=1)', extract: '' })).toMatch(/not valid RE2/);
    expect(policyProblem({ pattern: '^(a)\\1$', extract: '' })).toMatch(/not valid RE2/);
    expect(policyProblem({ pattern: '^main-(?P<ts>[0-9]+)$', extract: '$time' })).toMatch(/group "time"/);
    expect(policyProblem({ pattern: '^main-(?P<ts>[0-9]+)$', extract: '$' + '{ts}' })).toBeUndefined();
    expect(policyProblem({ semver: '>=1.0 <2.0, !=1.5.0' })).toBeUndefined();
    expect(policyProblem({ semver: 'newest please' })).toMatch(/does not parse/);
  });

  it('picks among tags as the ImagePolicy would', () => {
    const tags = ['main-aaa-1732150000', 'main-bbb-1732160000', 'latest', 'main-ccc-999', 'pr-12-1732170000'];
    expect(compilePolicy(timestamped).latest(tags)).toBe('main-bbb-1732160000');
    expect(compilePolicy({ ...timestamped, order: 'desc' }).latest(tags)).toBe('main-ccc-999');
    expect(compilePolicy({ ...timestamped, sort: 'alphabetical' }).latest(tags)).toBe('main-ccc-999');
    const versions = ['1.9.0', 'v1.10.0', '1.10', '2.0.0-rc.1', '2.0.0', 'latest', '1.11.0-beta.1'];
    expect(compilePolicy({ semver: '>=1.0.0 <2.0.0', order: 'asc' }).latest(versions)).toBe('v1.10.0');
    expect(compilePolicy({ semver: '^2', order: 'asc' }).latest(versions)).toBe('2.0.0');
    expect(compilePolicy({ semver: '1.x', order: 'desc' }).latest(versions)).toBe('1.9.0');
  });

  it('extracts like Go: the template replaces every match and keeps the rest of the tag', () => {
    const policy = compilePolicy({ pattern: '-(?P<n>[0-9]+)', extract: '$n', sort: 'alphabetical', order: 'asc' });
    expect(policy.sortKey('build-12-x')).toBe('build12-x');
    expect(policy.sortKey('nothing')).toBeUndefined();
  });

  it('fails a numerical policy whose extracted text is not a number', () => {
    const policy = compilePolicy({ pattern: '^(?P<v>[a-z0-9]+)$', extract: '$v', sort: 'numerical', order: 'asc' });
    expect(() => policy.latest(['123', 'abc'])).toThrow(InvalidPolicyError);
  });
});

describe('semver constraints as Masterminds reads them', () => {
  it('takes commas as "and" and != as an exclusion', () => {
    const policy = compilePolicy({ semver: '>= 1.0, < 2.0, != 1.5.0', order: 'asc' });
    expect(policy.latest(['1.4.0', '1.5.0', '2.1.0'])).toBe('1.4.0');
    expect(policy.latest(['1.4.0', '1.5.0', '1.6.0'])).toBe('1.6.0');
  });
});
