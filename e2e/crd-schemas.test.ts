/** `schemas/`: objects of a user's CustomResourceDefinitions are validated, through the bundled CLI. */
import { mkdir, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { widgetCrd } from './fixtures/widget-crd.ts';
import { addRawObjectsApp, copyRepository, runManifold, snapshot } from './temp-repo.ts';

const WIDGET_CRD = widgetCrd('Namespaced');

/** A copy of the example with `schemas/widget.yaml` and an app emitting a Widget of `size` (or none). */
async function repository(size?: number): Promise<string> {
  const root = await copyRepository();
  await mkdir(join(root, 'schemas'));
  await writeFile(join(root, 'schemas/widget.yaml'), WIDGET_CRD);
  if (size !== undefined) {
    await addRawObjectsApp(root, 'widgets', [{ apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'gear' }, spec: { size } }]);
  }
  return root;
}

describe('schemas/ (CustomResourceDefinitions)', () => {
  it('renders a repository with a CRD, with or without objects of its kind, and a valid object', async () => {
    const without = await repository();
    for (const args of [['synth'], ['synth', '--check'], ['synth', '--no-cache']]) {
      const run = await runManifold(without, args);
      expect(run.stderr, args.join(' ')).toBe('');
      expect(run.code).toBe(0);
    }
    const valid = await repository(3);
    const run = await runManifold(valid, ['synth']);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('write  dist/dev/widgets/widget.example.com-gear.yaml');
  });

  it('refuses an object its CRD schema refuses, at the app line, writing nothing', async () => {
    const root = await repository(0);
    const before = await snapshot(root);
    const run = await runManifold(root, ['synth']);
    expect(run.stderr).toMatch(
      /^apps\/widgets\/src\/index\.ts:\d+:\d+: example\.com\/v1 Widget acme-dev\/gear \(app "widgets", construct widgets\/Object0\) spec\.size: must be >= 1\n/,
    );
    expect(run.code).toBe(2);
    expect(await snapshot(root)).toEqual(before);
  });

  const refused: [string, (root: string) => Promise<void>, RegExp][] = [
    [
      'a CRD that redefines a built-in kind',
      (root) =>
        writeFile(join(root, 'schemas/deployment.yaml'), WIDGET_CRD.replace('group: example.com', 'group: apps').replace('kind: Widget,', 'kind: Deployment,')),
      /^schemas\/deployment\.yaml:1:1: redefines apps\/v1\/Deployment, which Manifold validates against its own schema/,
    ],
    [
      'a CRD defined twice',
      (root) => writeFile(join(root, 'schemas/widget-copy.yaml'), WIDGET_CRD),
      /^schemas\/widget\.yaml:1:1: defines example\.com\/v1\/Widget again \(schemas\/widget-copy\.yaml defines it too\)/,
    ],
    [
      'a manifest that is not a CRD',
      (root) => writeFile(join(root, 'schemas/config.yaml'), 'apiVersion: v1\nkind: ConfigMap\n'),
      /^schemas\/config\.yaml:1:1: is not a CustomResourceDefinition \(kind: "ConfigMap"\)/,
    ],
    [
      'an empty file',
      (root) => writeFile(join(root, 'schemas/empty.yaml'), ''),
      /^schemas\/empty\.yaml:1:1: holds no CustomResourceDefinition with a version schema/,
    ],
    [
      'a binary file',
      (root) => writeFile(join(root, 'schemas/blob.json'), Buffer.from([0xff, 0xfe, 0x00, 0x01])),
      /^schemas\/blob\.json:1:1: is not UTF-8 text/,
    ],
    ['a file of another kind', (root) => writeFile(join(root, 'schemas/README.md'), '# CRDs\n'), /^schemas\/README\.md:1:1: is not a YAML or JSON file/],
    [
      'a linked CRD file',
      (root) =>
        writeFile(join(root, '..', 'outside.yaml'), WIDGET_CRD).then(() => symlink(join(root, '..', 'outside.yaml'), join(root, 'schemas/linked.yaml'))),
      /^schemas\/linked\.yaml:1:1: is a symbolic link/,
    ],
  ];
  for (const [name, change, message] of refused) {
    it(`refuses ${name}: one located line, exit 2, nothing written`, async () => {
      const root = await repository();
      await change(root);
      const before = await snapshot(root);
      const run = await runManifold(root, ['synth']);
      expect(run.stderr).toMatch(message);
      expect(run.stderr).toMatch(/\n {2}hint: /);
      expect(run.code).toBe(2);
      expect(await snapshot(root)).toEqual(before);
    });
  }

  it('refuses a linked schemas/ folder', async () => {
    const root = await copyRepository();
    await mkdir(join(root, '..', 'crds'), { recursive: true });
    await symlink(join(root, '..', 'crds'), join(root, 'schemas'));
    const run = await runManifold(root, ['synth', '--check']);
    expect(run.stderr).toMatch(/^schemas:1:1: is a symbolic link/);
    expect(run.code).toBe(2);
  });
});
