import { describe, expect, it } from 'vitest';
import { ConfigError } from '../errors/config-error.ts';
import { renovateFileText } from './renovate-file.ts';
import { translatePolicy } from './renovate-rules.ts';

describe('renovateFileText', () => {
  it('keeps the team settings, replaces only its own entries and adds dist/ to the ignored paths once', () => {
    const theirs = {
      extends: ['config:recommended'],
      ignorePaths: ['vendor/**'],
      packageRules: [{ description: 'team: group linters', matchPackageNames: ['@biomejs/biome'], groupName: 'lint' }],
      customManagers: [{ customType: 'regex', description: 'manifold: an old version of the pin manager', fileMatch: ['x'] }],
    };
    const once = renovateFileText(JSON.stringify(theirs), []);
    const config = JSON.parse(once);
    expect(config.extends).toEqual(['config:recommended']);
    expect(config.ignorePaths).toEqual(['vendor/**', 'dist/**']);
    expect(config.packageRules[0]).toEqual(theirs.packageRules[0]);
    expect(config.customManagers).toHaveLength(1);
    expect(config.customManagers[0].managerFilePatterns).toEqual(['/(^|/)overlays/[^/]+/images\\.yaml$/']);
    expect(config.customManagers[0].fileMatch).toBeUndefined();
    expect(renovateFileText(once, [])).toBe(once);
  });

  it('refuses text that is not JSON, naming the line and column', () => {
    expect(() => renovateFileText('{\n  "extends": ["config:recommended"],\n}\n', [])).toThrow(ConfigError);
    expect(() => renovateFileText('{\n  // a comment\n  "extends": []\n}\n', [])).toThrow('renovate.json:2:3: is not valid JSON: InvalidCommentToken');
  });
});

describe('translatePolicy', () => {
  it('turns the extracted group of a numerical policy into Renovate regex versioning', () => {
    expect(translatePolicy({ pattern: '^(?P<branch>main|rel)-[a-f0-9]+-(?P<ts>[0-9]+)$', extract: '$ts', sort: 'numerical', order: 'asc' })).toEqual({
      description: 'manifold: numerical $ts of ^(?P<branch>main|rel)-[a-f0-9]+-(?P<ts>[0-9]+)$',
      versioning: 'regex:^(?:main|rel)-[a-f0-9]+-(?<major>[0-9]+)$',
      maxMajorIncrement: 0,
    });
  });

  it('reads Masterminds ranges as npm ranges, and leaves to Flux what Renovate cannot follow', () => {
    expect(translatePolicy({ semver: '>=1.2.0, <2', order: 'asc' })).toMatchObject({ versioning: 'semver-coerced', allowedVersions: '>=1.2.0 <2' });
    expect(translatePolicy({ semver: '>=1.2.0, != 1.3.0', order: 'asc' })).toMatchObject({ enabled: false });
    expect(translatePolicy({ pattern: '^(?P<d>[0-9]{8})$', extract: '$d', sort: 'alphabetical', order: 'asc' })).toMatchObject({ enabled: false });
    expect(translatePolicy({ pattern: '^(?P<n>[0-9]+)$', extract: '$n', sort: 'numerical', order: 'desc' })).toMatchObject({ enabled: false });
    expect(translatePolicy({ pattern: '(?i)^v(?P<n>[0-9]+)$', extract: '$n', sort: 'numerical', order: 'asc' })).toMatchObject({ enabled: false });
  });
});
