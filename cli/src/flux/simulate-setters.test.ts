import { cp, mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isYaml11NonString } from '../yaml/yaml11-scalars.ts';
import { ControllerFailure, runSetters } from './simulate-setters.ts';

const UPSTREAM = join(import.meta.dirname, 'testdata/upstream/image-automation-controller/internal');
const DIGEST = 'sha256:6745aaad46d795c9836632e1fb62f24b7e7f4c843144da8e47a5465c411a14be';

async function copyOf(folder: string): Promise<string> {
  const root = await mkdtemp(join(tmpdir(), 'manifold-setters-'));
  await cp(folder, root, { recursive: true });
  return root;
}

/** Upstream's testutil.ReplaceMarker: SETTER_SITE becomes the policy's marker. */
async function replaceSetterSite(root: string, marker: string): Promise<void> {
  for (const file of await readdir(root, { recursive: true })) {
    if (!file.endsWith('.yaml')) continue;
    const path = join(root, file);
    await writeFile(path, (await readFile(path, 'utf8')).replaceAll('SETTER_SITE', marker));
  }
}

describe("runSetters on Flux's own fixtures", () => {
  it('reproduces TestUpdateWithSetters byte for byte, writing exactly the expected files', async () => {
    const root = await copyOf(join(UPSTREAM, 'update/testdata/setters/original'));
    const policies = new Map([
      ['automation-ns:policy', { name: 'index.repo.fake/updated', tag: 'v1.0.1' }],
      ['automation-ns:unchanged', { name: 'image', tag: 'v1.0.0' }],
      ['automation-ns:policy-with-digest', { name: 'image', tag: 'v1.0.0', digest: DIGEST }],
    ]);
    const run = runSetters(root, '.', policies);
    const expectedDir = join(UPSTREAM, 'update/testdata/setters/expected');
    const expected = (await readdir(expectedDir)).sort();
    expect([...run.files.keys()].sort()).toEqual(expected);
    for (const file of expected) expect(run.files.get(file)).toBe(await readFile(join(expectedDir, file), 'utf8'));
    expect(run.changes).toContainEqual({
      file: 'kustomization.yml',
      object: { apiVersion: 'kustomize.config.k8s.io/v1beta1', kind: 'Kustomization', name: '', namespace: '' },
      setter: 'automation-ns:policy-with-digest:digest',
      oldValue: 'sha256:1234567890abcdef',
      newValue: DIGEST,
    });
  });

  it.each(['policy', 'controller'])('reproduces the %s appconfig data, with one policy and with three of which only the target is marked', async (suite) => {
    for (const policies of [['policy'], ['policy', 'other-one', 'other-two']]) {
      const root = await copyOf(join(UPSTREAM, `${suite}/testdata/appconfig`));
      await replaceSetterSite(root, '{"$imagepolicy": "automation-ns:policy"}');
      const refs = new Map(policies.map((name, index) => [`automation-ns:${name}`, { name: 'helloworld', tag: index === 0 ? '1.0.1' : '9.9.9' }]));
      const run = runSetters(root, '.', refs);
      const expectedRoot = await copyOf(join(UPSTREAM, `${suite}/testdata/appconfig-setters-expected`));
      await replaceSetterSite(expectedRoot, '{"$imagepolicy": "automation-ns:policy"}');
      expect(run.files.get('deploy.yaml')).toBe(await readFile(join(expectedRoot, 'deploy.yaml'), 'utf8'));
    }
  });

  it('only rewrites below update.path (pathconfig: ./yes)', async () => {
    const root = await copyOf(join(UPSTREAM, 'policy/testdata/pathconfig'));
    await replaceSetterSite(root, '{"$imagepolicy": "automation-ns:policy"}');
    const run = runSetters(root, './yes', new Map([['automation-ns:policy', { name: 'helloworld', tag: '1.0.1' }]]));
    const expectedRoot = await copyOf(join(UPSTREAM, 'policy/testdata/pathconfig-expected'));
    await replaceSetterSite(expectedRoot, '{"$imagepolicy": "automation-ns:policy"}');
    expect([...run.files.keys()]).toEqual(['yes/deploy.yaml']);
    expect(run.files.get('yes/deploy.yaml')).toBe(await readFile(join(expectedRoot, 'yes/deploy.yaml'), 'utf8'));
  });
});

describe("runSetters on Flux's end-to-end kustomization", () => {
  it('moves name, tag and digest markers of a kustomize images entry, keeping the digest double-quoted', async () => {
    const root = await copyOf(join(UPSTREAM, '../../flux2/tests/image-automation'));
    const newDigest = `sha256:${'9'.repeat(64)}`;
    const run = runSetters(root, '.', new Map([['flux-system:podinfo', { name: 'ghcr.io/stefanprodan/podinfo', tag: '6.9.0', digest: newDigest }]]));
    const original = await readFile(join(root, 'kustomization.yaml'), 'utf8');
    expect([...run.files.keys()]).toEqual(['kustomization.yaml']);
    expect(run.files.get('kustomization.yaml')).toBe(
      original.replace('newTag: 6.8.0', 'newTag: 6.9.0').replace(/digest: "sha256:[a-f0-9]{64}"/, `digest: "${newDigest}"`),
    );
  });
});

describe('runSetters rules', () => {
  const policy = new Map([['ns:p', { name: 'repo/app', tag: '1.21' }]]);

  async function rewrite(text: string, policies = policy): Promise<string | undefined> {
    const root = await mkdtemp(join(tmpdir(), 'manifold-setters-'));
    await writeFile(join(root, 'f.yaml'), text);
    return runSetters(root, '.', policies).files.get('f.yaml');
  }

  it('double-quotes a numeric-looking new tag, and an unchanged numeric-looking marked value in a written file', async () => {
    expect(await rewrite('tag: v1 # {"$imagepolicy": "ns:p:tag"}\n')).toBe('tag: "1.21" # {"$imagepolicy": "ns:p:tag"}\n');
    expect(
      await rewrite(
        'a: v1 # {"$imagepolicy": "ns:p:tag"}\nb: 1.20 # {"$imagepolicy": "ns:q:tag"}\n',
        new Map([...policy, ['ns:q', { name: 'r', tag: '1.20' }]]),
      ),
    ).toBe('a: "1.21" # {"$imagepolicy": "ns:p:tag"}\nb: "1.20" # {"$imagepolicy": "ns:q:tag"}\n');
  });

  it('keeps the number tag of a plain float it overwrites with a non-number (broken, as Flux does)', async () => {
    const policies = new Map([['ns:p', { name: 'repo/app', tag: 'v1.21' }]]);
    expect(await rewrite('tag: 1.20 # {"$imagepolicy": "ns:p:tag"}\n', policies)).toBe('tag: !!float v1.21 # {"$imagepolicy": "ns:p:tag"}\n');
    expect(await rewrite('tag: 20240101 # {"$imagepolicy": "ns:p:tag"}\n', policies)).toBe('tag: !!int v1.21 # {"$imagepolicy": "ns:p:tag"}\n');
  });

  it('writes "" for a :digest marker when the policy reflects no digest', async () => {
    expect(await rewrite(`d: "sha256:${'a'.repeat(64)}" # {"$imagepolicy": "ns:p:digest"}\n`)).toBe('d: "" # {"$imagepolicy": "ns:p:digest"}\n');
  });

  it('removes blank lines and a leading ---, keeps head comments and quote styles', async () => {
    const text = '---\n# head\n\na: "x"\n\nb: \'y\'\nimage: repo/app:1 # {"$imagepolicy": "ns:p"}\n---\nc: 1\n...\n';
    expect(await rewrite(text)).toBe('# head\n\na: "x"\nb: \'y\'\nimage: repo/app:1.21 # {"$imagepolicy": "ns:p"}\n---\nc: 1\n');
  });

  it('detects the sequence style per document and re-indents the odd sequences', async () => {
    const text = 'a:\n- x # {"$imagepolicy": "ns:p"}\nb:\n    - y\n---\nc:\n  - z\nd:\n- w\n';
    expect(await rewrite(text)).toBe('a:\n- repo/app:1.21 # {"$imagepolicy": "ns:p"}\nb:\n- y\n---\nc:\n  - z\nd:\n  - w\n');
  });

  it('ignores markers on keys, after text, in another namespace, and files with a top-level sequence', async () => {
    expect(await rewrite('k: v # {"$imagepolicy": "ns:p"} trailing\n')).toBeUndefined();
    expect(await rewrite('# {"$imagepolicy": "ns:p"}\nk: v\n')).toBeUndefined();
    expect(await rewrite('k: v # {"$imagepolicy": "other:p"}\n')).toBeUndefined();
    expect(await rewrite('- v # {"$imagepolicy": "ns:p"}\n')).toBeUndefined();
    expect(await rewrite('k: v # {"$imagepolicy": "ns:p", "n": 1}\n')).toBeUndefined();
  });

  it('honours a marker on the line above a sequence item and extra string keys', async () => {
    expect(await rewrite('l:\n  # {"$imagepolicy": "ns:p"}\n  - v\n')).toBe('l:\n  # {"$imagepolicy": "ns:p"}\n  - repo/app:1.21\n');
    expect(await rewrite('k: v #{"$imagepolicy":"ns:p","note":"x"}\n')).toBe('k: repo/app:1.21 #{"$imagepolicy":"ns:p","note":"x"}\n');
  });

  it('honours the legacy OpenAPI $ref marker in a file the shorthand lets through, and never reads a file with legacy markers only', async () => {
    const legacy = '# {"$ref": "#/definitions/io.k8s.cli.setters.ns:p:tag"}';
    expect(
      await rewrite(`image: x # {"$imagepolicy": "ns:p"}\ntag: v1 ${legacy}\nfull: y # {"$ref": "#/definitions/io.k8s.cli.setters.ns:p", "description": 1}\n`),
    ).toBe(
      `image: repo/app:1.21 # {"$imagepolicy": "ns:p"}\ntag: "1.21" ${legacy}\nfull: repo/app:1.21 # {"$ref": "#/definitions/io.k8s.cli.setters.ns:p", "description": 1}\n`,
    );
    expect(await rewrite(`tag: v1 ${legacy}\n`)).toBeUndefined();
    expect(await rewrite('image: x # {"$imagepolicy": "ns:p"}\nother: v1 # {"$ref": "#/definitions/io.k8s.cli.substitutions.ns:p"}\n')).toBe(
      'image: repo/app:1.21 # {"$imagepolicy": "ns:p"}\nother: v1 # {"$ref": "#/definitions/io.k8s.cli.substitutions.ns:p"}\n',
    );
  });

  it('unwraps a single-document List: each item goes to [<namespace>/]<kind>_<name>.yaml with compact sequences, the List file stays', async () => {
    const root = await mkdtemp(join(tmpdir(), 'manifold-setters-'));
    const list =
      'apiVersion: v1\nkind: List\nitems:\n  - apiVersion: apps/v1\n    kind: Deployment\n    metadata:\n      name: web\n      namespace: acme\n    spec:\n      containers:\n        - name: web\n          image: x # {"$imagepolicy": "ns:p"}\n  - apiVersion: v1\n    kind: ConfigMap\n    metadata:\n      name: cfg\n    data:\n      a: "1"\n';
    await writeFile(join(root, 'list.yaml'), list);
    const run = runSetters(root, '.', policy);
    expect([...run.files.keys()].sort()).toEqual(['acme/deployment_web.yaml', 'configmap_cfg.yaml']);
    expect(run.files.get('acme/deployment_web.yaml')).toBe(
      'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n  namespace: acme\nspec:\n  containers:\n  - name: web\n    image: repo/app:1.21 # {"$imagepolicy": "ns:p"}\n',
    );
    expect(run.files.get('configmap_cfg.yaml')).toBe('apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cfg\ndata:\n  a: "1"\n');
    expect(run.changes).toEqual([
      {
        file: '',
        object: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web', namespace: 'acme' },
        setter: 'ns:p',
        oldValue: 'x',
        newValue: 'repo/app:1.21',
      },
    ]);
    // A List among other documents is an ordinary file.
    await writeFile(join(root, 'list.yaml'), `a: 1\n---\n${list}`);
    expect([...runSetters(root, '.', policy).files.keys()]).toEqual(['list.yaml']);
    // An item without apiVersion, kind or metadata fails the controller's whole run.
    await writeFile(join(root, 'list.yaml'), 'kind: List\nitems:\n  - image: x # {"$imagepolicy": "ns:p"}\n');
    expect(() => runSetters(root, '.', policy)).toThrow(ControllerFailure);
  });

  it('skips a file it cannot parse, silently', async () => {
    expect(await rewrite('a: 1\n--- !!map\nk: v # {"$imagepolicy": "ns:p"}\n')).toBeUndefined();
  });

  it('drops null documents, and skips a file with a document that is a scalar (kyaml cannot annotate it)', async () => {
    const marked = 'image: repo/app:1 # {"$imagepolicy": "ns:p"}\n';
    expect(await rewrite(`${marked}---\nnull\n---\n~\n---\n# only a comment\n`)).toBe('image: repo/app:1.21 # {"$imagepolicy": "ns:p"}\n');
    expect(await rewrite(`${marked}---\nhello\n`)).toBeUndefined();
    expect(await rewrite(`${marked}---\n''\n`)).toBeUndefined();
  });

  it('deletes empty annotations and metadata in a written file', async () => {
    expect(await rewrite('metadata:\n  name: x\n  annotations: {}\nimage: v # {"$imagepolicy": "ns:p"}\n')).toBe(
      'metadata:\n  name: x\nimage: repo/app:1.21 # {"$imagepolicy": "ns:p"}\n',
    );
  });

  // go-yaml's parser gives an item of a multi-line flow collection the comment after it on its line
  // (even the last item's, which npm yaml keeps on the collection) and the comment lines right above
  // it; its emitter then writes a comma after every item that carries a comment, starts the next item
  // on a new line at the flow indentation, and closes a sequence on a line of its own.
  it('moves every marked item of a multi-line flow collection and writes it as go-yaml does', async () => {
    expect(await rewrite('images: [\n  repo/app:1.0, # {"$imagepolicy": "ns:p"}\n  repo/app:1.0 # {"$imagepolicy": "ns:p"}\n]\n')).toBe(
      'images: [\'repo/app:1.21\', # {"$imagepolicy": "ns:p"}\n  \'repo/app:1.21\', # {"$imagepolicy": "ns:p"}\n]\n',
    );
    expect(await rewrite('spec:\n  images: [\n    # {"$imagepolicy": "ns:p"}\n    repo/app:1.0,\n\n    x\n  ]\n')).toBe(
      'spec:\n  images: [\n    # {"$imagepolicy": "ns:p"}\n    \'repo/app:1.21\', x]\n',
    );
    expect(await rewrite('l: {\n  a: repo/app:1.0, # {"$imagepolicy": "ns:p"}\n  b: c\n}\n')).toBe(
      'l: {a: \'repo/app:1.21\', # {"$imagepolicy": "ns:p"}\n  b: c}\n',
    );
    // As a sequence item, and in a mapping that is one: indented past the dash, or past the key.
    expect(await rewrite('l:\n  - [repo/app:1.0, # {"$imagepolicy": "ns:p"}\n     b]\n  - k: [x, # {"$imagepolicy": "ns:p"}\n      y]\n')).toBe(
      'l:\n  - [\'repo/app:1.21\', # {"$imagepolicy": "ns:p"}\n    b]\n  - k: [\'repo/app:1.21\', # {"$imagepolicy": "ns:p"}\n      y]\n',
    );
  });

  // Nested collections: a collection's line and foot comments are its closing bracket's (its end
  // event's to the emitter), so no comma comes before them; the comma of the next item, written once
  // the comment has ended the line, starts the next line. A mapping's closing brace needs no indent.
  it('moves a marked value inside nested flow collections and writes them as go-yaml does', async () => {
    expect(await rewrite('spec:\n  c: [{name: side, image: repo/app:1.0 # {"$imagepolicy": "ns:p"}\n    }]\n')).toBe(
      'spec:\n  c: [{name: side, image: \'repo/app:1.21\', # {"$imagepolicy": "ns:p"}\n}]\n',
    );
    expect(await rewrite('l: [\n  [a, b], # c1\n  {x: 1},\n]\nk: v # {"$imagepolicy": "ns:p"}\n')).toBe(
      'l: [[a, b] # c1\n, {x: 1}]\nk: repo/app:1.21 # {"$imagepolicy": "ns:p"}\n',
    );
    // A head comment above a nested item stays above it; comment lines after it, before a blank line, are its foot.
    expect(await rewrite('l: [\n  # h\n  [a],\n  # f\n\n  b\n]\nk: v # {"$imagepolicy": "ns:p"}\n')).toBe(
      'l: [\n  # h\n  [a]\n  # f\n, b]\nk: repo/app:1.21 # {"$imagepolicy": "ns:p"}\n',
    );
    // In a mapping, a collection value's line comment follows its bracket; the next key starts the next line.
    expect(await rewrite('m: {a: [x, y], # c\n  b: repo/app:1.0 # {"$imagepolicy": "ns:p"}\n}\n')).toBe(
      'm: {a: [x, y] # c\n, b: \'repo/app:1.21\', # {"$imagepolicy": "ns:p"}\n}\n',
    );
    // A comment after an opening bracket is the start event's line comment, which the decoder
    // replaces with the closing bracket's: the controller writes the collection without it.
    expect(await rewrite('l: [ # gone\n  a, b]\nk: v # {"$imagepolicy": "ns:p"}\n')).toBe('l: [a, b]\nk: repo/app:1.21 # {"$imagepolicy": "ns:p"}\n');
  });

  it('quotes plain flow items holding ":" in a written file', async () => {
    expect(await rewrite('l: [a:1, b]\nk: v # {"$imagepolicy": "ns:p"}\n')).toBe('l: [\'a:1\', b]\nk: repo/app:1.21 # {"$imagepolicy": "ns:p"}\n');
  });
});

describe('isYaml11NonString', () => {
  it.each([
    ['1.21', true],
    ['20240202', true],
    ['yes', true],
    ['0o17', true],
    ['2001-12-14', true],
    ['12:30:00', false],
    ['v1.21', false],
    ['main-3f2c1e9-1732150000', false],
  ])('%s → %s', (value, expected) => {
    expect(isYaml11NonString(value)).toBe(expected);
  });
});
