/**
 * `manifold flux simulate --path <dir> --policy …` on a directory that is no Manifold repository:
 * the controller's changes, its commit message, --json, --write, and nothing to do when nothing moves.
 */
import { spawnSync } from 'node:child_process';
import { lstat, mkdir, mkdtemp, readdir, readFile, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT, runManifoldIn } from './temp-repo.ts';

const DIGEST = `sha256:${'b'.repeat(64)}`;
const POLICIES = ['--policy', `flux-system:web=ghcr.io/acme/web:1.2.0@${DIGEST}`, '--policy', 'flux-system:api=registry.local:5000/api:2.0'];
/** A newer web image, for after POLICIES were written. */
const NEXT = ['--policy', `flux-system:web=ghcr.io/acme/web:1.3.0@${DIGEST}`, '--policy', 'flux-system:api=registry.local:5000/api:2.0'];

describe('flux simulate --path (standalone)', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'plain-flux-repo-'));
    await mkdir(join(dir, 'apps/web'), { recursive: true });
    await writeFile(
      join(dir, 'apps/web/deploy.yaml'),
      'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n\nspec:\n  template:\n    spec:\n      containers:\n      - name: web\n        image: ghcr.io/acme/web:1.0.0 # {"$imagepolicy": "flux-system:web"}\n',
    );
    await writeFile(
      join(dir, 'values.yaml'),
      'image:\n  repository: registry.local:5000/api # {"$imagepolicy": "flux-system:api:name"}\n  tag: 1.0 # {"$imagepolicy": "flux-system:api:tag"}\n',
    );
    // Only the legacy form: never read, as the controller screens for the shorthand first.
    await writeFile(join(dir, 'legacy.yaml'), 'tag: 1.0 # {"$ref": "#/definitions/io.k8s.cli.setters.flux-system:api:tag"}\n');
  });

  it("prints the controller's changes, commit message and diff, outside any Manifold repository, writing nothing", async () => {
    const run = await runManifoldIn(dir, ['flux', 'simulate', '--path', '.', ...POLICIES]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain(`apps/web/deploy.yaml: ghcr.io/acme/web:1.0.0 -> ghcr.io/acme/web:1.2.0@${DIGEST} (flux-system:web)`);
    expect(run.stdout).toContain('values.yaml: 1.0 -> 2.0 (flux-system:api:tag)');
    expect(run.stdout).toContain('commit message:\nUpdate from image update automation\n');
    expect(run.stdout).not.toContain('legacy.yaml');
    expect(await readFile(join(dir, 'values.yaml'), 'utf8')).toContain('tag: 1.0 #');

    const json = await runManifoldIn(dir, ['flux', 'simulate', '--path', dir, '--json', ...POLICIES]);
    expect(JSON.parse(json.stdout)).toEqual({
      changes: [
        {
          file: 'apps/web/deploy.yaml',
          object: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web', namespace: '' },
          setter: 'flux-system:web',
          oldValue: 'ghcr.io/acme/web:1.0.0',
          newValue: `ghcr.io/acme/web:1.2.0@${DIGEST}`,
        },
        { file: 'values.yaml', object: { apiVersion: '', kind: '', name: '', namespace: '' }, setter: 'flux-system:api:tag', oldValue: '1.0', newValue: '2.0' },
      ],
      files: ['apps/web/deploy.yaml', 'values.yaml'],
      commitMessage: 'Update from image update automation',
    });
  });

  it('writes the files as the controller would, and then has nothing to commit', async () => {
    const write = await runManifoldIn(dir, ['flux', 'simulate', '--path', '.', '--write', ...POLICIES]);
    expect(write.code, write.stderr).toBe(0);
    expect(write.stdout).toContain('wrote 2 file(s)');
    // The controller drops the blank line and double-quotes the numeric-looking tag.
    expect(await readFile(join(dir, 'apps/web/deploy.yaml'), 'utf8')).toBe(
      `apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  template:\n    spec:\n      containers:\n      - name: web\n        image: ghcr.io/acme/web:1.2.0@${DIGEST} # {"$imagepolicy": "flux-system:web"}\n`,
    );
    expect(await readFile(join(dir, 'values.yaml'), 'utf8')).toBe(
      'image:\n  repository: registry.local:5000/api # {"$imagepolicy": "flux-system:api:name"}\n  tag: "2.0" # {"$imagepolicy": "flux-system:api:tag"}\n',
    );
    const again = await runManifoldIn(dir, ['flux', 'simulate', '--path', '.', ...POLICIES]);
    expect(again.code).toBe(0);
    expect(again.stdout.trim()).toBe('Flux would commit nothing');
  });

  it("renders the automation's messageTemplate with its values, and names a template the controller would refuse", async () => {
    const template = join(dir, '..', `${dir.split('/').at(-1)}-template.txt`);
    await writeFile(template, '[{{ .Values.team }}] {{ .AutomationObject }}: {{ range .Changed.Changes }}{{ .NewValue }} {{ end }}');
    const run = await runManifoldIn(dir, [
      'flux',
      'simulate',
      '--path',
      '.',
      '--json',
      '--message-template',
      template,
      '--automation',
      'apps/images',
      '--template-value',
      'team=web',
      ...NEXT,
    ]);
    expect(run.code, run.stderr).toBe(0);
    expect((JSON.parse(run.stdout) as { commitMessage: string }).commitMessage).toBe(`[web] apps/images: ghcr.io/acme/web:1.3.0@${DIGEST} `);
    await writeFile(template, 'Images: {{ .Updated }}');
    const refused = await runManifoldIn(dir, ['flux', 'simulate', '--path', '.', '--message-template', template, ...NEXT]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain("can't evaluate field Updated in type source.TemplateData");
  });

  it('refuses a malformed --policy, or --path without one, in one line with exit 2', async () => {
    const bad = await runManifoldIn(dir, ['flux', 'simulate', '--path', '.', '--policy', 'web=1.0']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/^--policy: "web=1\.0" is not <namespace>:<policy>=<image>:<tag>/);
    const none = await runManifoldIn(dir, ['flux', 'simulate', '--path', '.']);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('--path <dir> with at least one --policy');
  });

  it('refuses a marked file that is not UTF-8 and writes nothing, as the controller fails the run', async () => {
    const other = await mkdtemp(join(tmpdir(), 'plain-flux-latin1-'));
    const bytes = Buffer.concat([
      Buffer.from('# caf'),
      Buffer.from([0xe9]),
      Buffer.from('\nimage: ghcr.io/acme/web:1.0.0 # {"$imagepolicy": "flux-system:web"}\n'),
    ]);
    await writeFile(join(other, 'deploy.yaml'), bytes);
    const run = await runManifoldIn(other, ['flux', 'simulate', '--path', '.', '--write', ...POLICIES]);
    expect(run.stderr).toMatch(/^deploy\.yaml:1:1: is not valid UTF-8: the controller cannot read it/);
    expect(run.code).toBe(2);
    expect(await readFile(join(other, 'deploy.yaml'))).toEqual(bytes);
  });

  it('collects many thousands of changes without exhausting the stack', async () => {
    // With a small stack (120 KB), spreading 15,000 values into a call overflows it: the changes must be gathered without.
    const other = await mkdtemp(join(tmpdir(), 'plain-flux-large-'));
    const entries = Array.from({ length: 15_000 }, (_, index) => `  i${index}: ghcr.io/acme/web:1.0.0 # {"$imagepolicy": "flux-system:web"}`);
    await writeFile(join(other, 'many.yaml'), `images:\n${entries.join('\n')}\n`);
    const run = spawnSync(
      process.execPath,
      ['--stack-size=120', join(REPO_ROOT, 'cli/bin/manifold.mjs'), 'flux', 'simulate', '--path', '.', '--json', ...POLICIES],
      {
        cwd: other,
        encoding: 'utf8',
        maxBuffer: 64 * 1024 * 1024,
      },
    );
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect((JSON.parse(run.stdout) as { changes: unknown[] }).changes).toHaveLength(15_000);
  }, 60_000);

  it('--write never leaves the update path: a List item named with ".." is refused, a linked file is neither read nor replaced', async () => {
    const outer = await mkdtemp(join(tmpdir(), 'plain-flux-hostile-'));
    const other = join(outer, 'repo');
    await mkdir(other);
    const item = (namespace: string) =>
      `apiVersion: v1\nkind: List\nitems:\n- apiVersion: apps/v1\n  kind: Deployment\n  metadata:\n    name: web\n    namespace: ${namespace}\n  spec:\n    image: ghcr.io/acme/web:1.0.0 # {"$imagepolicy": "flux-system:web"}\n`;
    // A namespace of two parent steps and a folder (built from parts: no path in this file points outside the repository).
    await writeFile(join(other, 'list.yaml'), item(['..', '..', 'outside'].join('/')));
    const escaped = await runManifoldIn(other, ['flux', 'simulate', '--path', '.', '--write', ...POLICIES]);
    expect(escaped.stderr).toMatch(/^\.\.\/\.\.\/outside\/deployment_web\.yaml:1:1: the update would write this file outside the update path/);
    expect(escaped.code).toBe(2);
    expect(await readdir(outer)).toEqual(['repo']);
    expect(await readdir(other)).toEqual(['list.yaml']);
    // A link to a marked file outside: not read (no change, nothing of it printed), not replaced by a file.
    await writeFile(join(other, 'list.yaml'), item('apps'));
    await writeFile(join(outer, 'secret.yaml'), 'image: ghcr.io/acme/web:1.0.0 # {"$imagepolicy": "flux-system:web"}\n# outside content\n');
    await symlink(join(outer, 'secret.yaml'), join(other, 'linked.yaml'));
    const linked = await runManifoldIn(other, ['flux', 'simulate', '--path', '.', '--write', ...POLICIES]);
    expect(linked.stderr).toBe('');
    expect(linked.code).toBe(0);
    expect(linked.stdout).not.toContain('outside content');
    expect(linked.stdout).not.toContain('linked.yaml');
    expect((await lstat(join(other, 'linked.yaml'))).isSymbolicLink()).toBe(true);
    expect(await readFile(join(outer, 'secret.yaml'), 'utf8')).toContain('ghcr.io/acme/web:1.0.0 #');
    expect(await readFile(join(other, 'apps/deployment_web.yaml'), 'utf8')).toContain(`ghcr.io/acme/web:1.2.0@${DIGEST}`);
  });
});
