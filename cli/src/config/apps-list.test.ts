import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { seededRandom } from '../testing/seeded-random.ts';
import { listedApps, withoutAppsList } from './apps-list.ts';

/** An environment.yaml in plain block style: a few settings, and an apps: list somewhere among them, written in one of the ways YAML allows. */
function generated(seed: number): string {
  const { int, pick, chance } = seededRandom(seed);
  const names = Array.from({ length: 1 + int(5) }, () => pick(['web', 'api', 'web-admin', 'jobs', 'db-1', 'x']));
  const quoted = (name: string) => pick([name, name, `"${name}"`, `'${name}'`]);
  const item = (indent: string) => `${indent}- ${quoted(names[int(names.length)] ?? 'web')}${chance(0.2) ? " # it's why" : ''}\n`;
  const list = () => {
    const indent = pick(['', '  ', '    ']);
    let text = `apps:${chance(0.3) ? ' # deployed here' : ''}\n`;
    for (let at = 0; at < 1 + int(4); at++) {
      if (chance(0.2)) text += pick(['\n', '# a comment\n', '  # indented comment\n']);
      text += item(indent);
    }
    return text;
  };
  const settings = [
    `namespace: acme-${int(9)}\n`,
    `domain: dev${int(9)}.acme.example\n`,
    `sizes:\n  small:\n    replicas: ${1 + int(3)}\n    cpu: "${1 + int(3)}"\n`,
    `esc:\n  project: 'platform'\n  environment: "dev # not a comment"\n`,
    `podSecurity: ${pick(['restricted', 'baseline'])}\n`,
    `flux:\n  namespace: flux-system\n`,
  ].filter(() => chance(0.8));
  const at = int(settings.length + 1);
  const parts = [...settings.slice(0, at), list(), ...settings.slice(at)];
  const text = parts.join(chance(0.2) ? '\n' : '') + (chance(0.2) ? '# the end' : '');
  return chance(0.2) ? text.replaceAll('\n', '\r\n') : text;
}

describe('apps: lists', () => {
  it('cuts exactly the apps: list from a block-style text, whatever its place, style and quoting', () => {
    for (let seed = 1; seed <= 2000; seed++) {
      const text = generated(seed);
      const { apps, ...rest } = (parse(text) ?? {}) as Record<string, unknown>;
      expect(parse(withoutAppsList(text)) ?? {}, text).toEqual(rest);
      expect(withoutAppsList(text), text).not.toMatch(/^apps/m);
      // Every listed app is among the names the text spells out.
      for (const app of apps as string[]) expect(listedApps(text)?.has(app), text).toBe(true);
    }
  });

  it('leaves a text that YAML could spell otherwise as it is, and parses its list', () => {
    for (const text of [
      'namespace: a\napps: [web, api]\n',
      'apps:\n  - "w\\x65b"\nnamespace: a\n',
      'apps: !!seq\n  - web\n',
      'list: &l\n  - web\napps: *l\n',
    ]) {
      expect(withoutAppsList(text)).toBe(text);
    }
    expect([...(listedApps('apps:\n  - "w\\x65b"\n') ?? [])]).toEqual(['web']);
    expect(listedApps('namespace: a\n')).toBeUndefined();
    expect(withoutAppsList('namespace: a\n')).toBe('namespace: a\n');
  });
});
