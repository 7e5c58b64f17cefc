import { describe, expect, it } from 'vitest';
import { findFluxStyleViolations } from './flux-style-guard.ts';

const base = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x' } };

describe('findFluxStyleViolations', () => {
  it('accepts plain objects, multi-line strings without trailing spaces and BMP text', () => {
    expect(findFluxStyleViolations({ ...base, data: { script: 'line one\nline two\n', text: 'héllo · 日本' } })).toEqual([]);
  });

  it.each([
    ['a TAB', { data: { a: 'x\ty' } }, 'data.a', 'U+0009'],
    ['a non-BMP character', { data: { a: 'ship it 🚀' } }, 'data.a', 'U+1F680'],
    ['a byte order mark', { data: { a: '\uFEFFx' } }, 'data.a', 'U+FEFF'],
    ['trailing spaces in a multi-line string', { data: { a: 'one  \ntwo\n' } }, 'data.a', 'trailing spaces'],
    ['a key over 128 characters', { data: { ['k'.repeat(129)]: 'v' } }, `data.${'k'.repeat(129)}`, '? key'],
    ['empty annotations', { metadata: { name: 'x', annotations: {} } }, 'metadata.annotations', 'deleted'],
  ])('reports %s', (_what, extra, path, reason) => {
    const [violation] = findFluxStyleViolations({ ...base, ...extra });
    expect(violation?.path).toBe(path);
    expect(violation?.reason).toContain(reason);
  });

  it('reports kind List, which Flux unwraps into new files', () => {
    expect(findFluxStyleViolations({ apiVersion: 'v1', kind: 'List', metadata: { name: 'l' }, items: [] })[0]?.path).toBe('kind');
  });

  it('reports empty metadata', () => {
    expect(findFluxStyleViolations({ apiVersion: 'v1', kind: 'ConfigMap', metadata: {} })[0]?.path).toBe('metadata');
  });
});
